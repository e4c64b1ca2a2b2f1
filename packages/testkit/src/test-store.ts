import { testPricingStore } from "./test-pricing-store.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { QueryRejectedError } from "@llm-accounting/core";
import type { UsageStore } from "@llm-accounting/core";
import { MAX_COLLECTED_ROWS, type QueryStreamOptions } from "@llm-accounting/core";
import { sampleRecord } from "./sample-records.js";
import { freshStore } from "./fresh-store.js";
import type { TestStoreOptions } from "./test-store-options.js";
import { testFacadeJson } from "./test-facade-json.js";
import { testAuditRegistryStore } from "./test-audit-registry-store.js";
import { testQuotaRetry } from "./test-quota-retry.js";
import { testQuotaScenarios } from "./test-quota-scenarios.js";
import { testQuotaWindows } from "./test-quota-windows.js";
import { testQuotaStore } from "./test-quota-store.js";
import { testPurgeFilters } from "./test-purge-filters.js";
import { testAgentImportStore } from "./test-agent-import-store.js";
import { testAlertStore } from "./test-alert-store.js";
import { testUsageTags } from "./test-usage-tags.js";
import { testTagLimits } from "./test-tag-limits.js";
import { testTagReports } from "./test-tag-reports.js";
import { testStoreDeclaration } from "./test-store-declaration.js";
import { testOptionalParts } from "./test-optional-parts.js";
import { testUsageSums } from "./test-usage-sums.js";

const T0 = Date.parse("2025-01-15T00:00:00.000Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

/**
 * The store contract suite: run it from an adapter's test file with a factory of empty stores.
 * Every adapter runs exactly these scenarios, so their results are identical by construction.
 */
export function testStore(options: TestStoreOptions): void {
  testStoreDeclaration(options);
  testOptionalParts(options);
  testQuotaStore(options);
  testQuotaScenarios(options);
  testQuotaWindows(options);
  testQuotaRetry(options);
  testAuditRegistryStore(options);
  testPricingStore(options);
  testFacadeJson(options);
  testPurgeFilters(options);
  testAgentImportStore(options);
  testAlertStore(options);
  testUsageTags(options);
  testTagLimits(options);
  testTagReports(options);
  testUsageSums(options);
  describe(`store contract: ${options.name}`, () => {
    let store: UsageStore;
    beforeEach(async () => {
      store = await freshStore(options);
    });
    afterEach(async () => {
      await store?.close();
    });
    // One row, for the cases that check a query leaves the data alone.
    const insertSelRow = () => store.insertUsage(sampleRecord({ model: "sel", promptTokens: 42 }));

    it("opens twice, also concurrently, without error", async () => {
      await Promise.all([store.open(), store.open()]);
      await store.open();
    });

    it("starts empty", async () => {
      expect(await store.tail(10)).toEqual([]);
      const totals = await store.sumUsage({ start: new Date(0), end: new Date("2100-01-01T00:00:00Z") });
      expect(totals.requests).toBe(0);
      expect(totals.costNanos).toBe(0n);
      expect(totals.promptTokens).toBe(0);
    });

    it("stores every field and reads it back unchanged", async () => {
      const record = sampleRecord();
      const id = await store.insertUsage(record);
      expect(Number.isInteger(id)).toBe(true);
      const [read] = await store.tail(1);
      expect(read).toEqual({ id, ...record });
      const nulls = sampleRecord({ callerName: null, username: null, project: null, session: null, costSource: null, cacheWriteTokens: 0, provider: null, usageEstimated: false, timestamp: at(-1) });
      const id2 = await store.insertUsage(nulls);
      const rows = await store.tail(5);
      expect(rows.find((r) => r.id === id2)).toEqual({ id: id2, ...nulls });
      // A batch too (stores write batches another way): both values of the flag.
      const batch = [sampleRecord({ timestamp: at(-3), usageEstimated: false }), sampleRecord({ timestamp: at(-2) })];
      await store.insertUsageBatch(batch);
      const stored = (await store.tail(4)).filter((r) => batch.some((b) => b.timestamp.getTime() === r.timestamp.getTime())).reverse();
      expect(stored.map(({ id: _, ...r }) => r)).toEqual(batch);
    });

    it("tails newest first by timestamp, then by id, and honours the limit", async () => {
      const ids: number[] = [];
      for (const minute of [5, 1, 3, 3]) ids.push(await store.insertUsage(sampleRecord({ timestamp: at(minute), model: `m${minute}` })));
      const rows = await store.tail(10);
      expect(rows.map((r) => r.timestamp.getTime())).toEqual([at(5), at(3), at(3), at(1)].map((d) => d.getTime()));
      expect(rows[1]!.id).toBe(ids[3]);
      expect(rows[2]!.id).toBe(ids[2]);
      expect((await store.tail(2)).length).toBe(2);
      expect(await store.tail(0)).toEqual([]);
      expect(await store.purgeUsage()).toBe(4);
      expect(await store.tail(10)).toEqual([]);
    });

    it("writes a batch atomically: one bad record stores none of it", async () => {
      const bad = sampleRecord({ model: null as unknown as string });
      await expect(store.insertUsageBatch([sampleRecord(), bad, sampleRecord()])).rejects.toThrow();
      expect(await store.tail(10)).toEqual([]);
    });

    it("runs a read-only select and returns columns in select order", async () => {
      await insertSelRow();
      if (options.capabilities?.sql === false) {
        await expect(store.readOnlyQuery("SELECT model FROM accounting_entries")).rejects.toThrow(/not supported/);
        return;
      }
      const result = await store.readOnlyQuery("SELECT model, prompt_tokens FROM accounting_entries WHERE model = 'sel'");
      expect(result.columns).toEqual(["model", "prompt_tokens"]);
      expect(result.rows.map((r) => [r.model, Number(r.prompt_tokens)])).toEqual([["sel", 42]]);
      const empty = await store.readOnlyQuery("select * from accounting_entries where model = 'nope';");
      expect(empty.rows).toEqual([]);
      expect(empty.columns).toContain("cost_nanos");
    });

    it("streams rows in order in bounded batches; maxRows cuts and says so", async () => {
      if (options.capabilities?.sql === false) {
        await expect(store.streamReadOnlyQuery("SELECT 1", { columns: () => undefined, rows: () => undefined })).rejects.toBeInstanceOf(QueryRejectedError);
        return;
      }
      const series = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 2500) SELECT n, 'v' || n AS label FROM r";
      const stream = async (streamOptions: QueryStreamOptions) => {
        const seen: { columns: readonly string[]; batches: number; rows: unknown[][] } = { columns: [], batches: 0, rows: [] };
        const summary = await store.streamReadOnlyQuery(
          series,
          {
            columns: (names) => {
              seen.columns = names;
            },
            rows: async (batch) => {
              seen.batches += 1;
              for (const row of batch) seen.rows.push([Number(row[0]), row[1]]);
            },
          },
          streamOptions,
        );
        return { ...seen, summary };
      };
      const all = await stream({});
      expect(all.columns).toEqual(["n", "label"]);
      expect(all.rows).toHaveLength(2500);
      expect(all.rows[2499]).toEqual([2500, "v2500"]);
      expect(all.rows.every((row, i) => row[0] === i + 1)).toBe(true);
      expect(all.batches).toBeGreaterThan(1);
      expect(all.summary).toEqual({ rowCount: 2500, truncated: false });
      const cut = await stream({ maxRows: 1000 });
      expect(cut.rows).toHaveLength(1000);
      expect(cut.summary).toEqual({ rowCount: 1000, truncated: true });
      expect((await stream({ maxRows: 2500 })).summary).toEqual({ rowCount: 2500, truncated: false });
      const none = await stream({ maxRows: 0 });
      expect(none.columns).toEqual(["n", "label"]);
      expect(none.summary).toEqual({ rowCount: 0, truncated: true });
    });

    it("stops a runaway query at its timeout with one line, and keeps working", async () => {
      if (options.capabilities?.sql === false) return;
      await insertSelRow();
      const endless = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) AS n FROM r";
      const error = await store.readOnlyQuery(endless, { timeoutMs: 500 }).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(error).toBeInstanceOf(QueryRejectedError);
      expect(error!.message).toMatch(/statement timeout/);
      expect(error!.message).not.toContain("\n");
      expect((await store.readOnlyQuery("SELECT count(*) AS n FROM accounting_entries")).rows.map((r) => Number(r.n))).toEqual([1]);
    });

    it("collects at most MAX_COLLECTED_ROWS rows; more must be streamed", async () => {
      if (options.capabilities?.sql === false) return;
      const rows = (count: number) => `WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < ${count}) SELECT n FROM r`;
      expect((await store.readOnlyQuery(rows(MAX_COLLECTED_ROWS))).rows).toHaveLength(MAX_COLLECTED_ROWS);
      await expect(store.readOnlyQuery(rows(MAX_COLLECTED_ROWS + 1))).rejects.toThrow(/more than 100000 rows/);
      expect((await store.readOnlyQuery(rows(MAX_COLLECTED_ROWS + 1), { maxRows: 3 })).rows).toHaveLength(3);
    });

    const refused = [
      "COMMIT; DELETE FROM accounting_entries",
      "ROLLBACK; DELETE FROM accounting_entries",
      "END; DELETE FROM accounting_entries",
      "SELECT 1; COMMIT; UPDATE accounting_entries SET cost_nanos = 1",
      "COMMIT; DROP TABLE usage_limits",
      "INSERT INTO accounting_entries (timestamp, model) VALUES ('2025-01-01', 'x')",
      "DELETE FROM accounting_entries",
      "UPDATE accounting_entries SET model = 'x'",
      "DROP TABLE accounting_entries",
      "SELECT 1; DELETE FROM accounting_entries",
      "ATTACH DATABASE 'other.sqlite' AS other",
      "PRAGMA user_version = 7",
      "CREATE TABLE sneaky (id INTEGER)",
      "WITH gone AS (DELETE FROM accounting_entries RETURNING *) SELECT * FROM gone",
      "SELECT * FROM no_such_table",
    ];
    for (const sql of refused) {
      it(`refuses, changing nothing: ${sql}`, async () => {
        await insertSelRow();
        const before = await store.tail(100);
        await expect(store.readOnlyQuery(sql)).rejects.toBeInstanceOf(QueryRejectedError);
        expect(await store.tail(100)).toEqual(before);
        expect(before.length).toBe(1);
      });
    }

    it("keeps data across close and reopen", async () => {
      await insertSelRow();
      await store.close();
      const again = options.reopen ? await options.reopen(store) : store;
      await again.open();
      expect((await again.tail(10)).map((r) => r.model)).toEqual(["sel"]);
      if (again !== store) await again.close();
      await store.open();
    });
  });
}
