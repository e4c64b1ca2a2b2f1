import { groupedSumsOf } from "@llm-accounting/core";
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
import { testQuotaStore } from "./test-quota-store.js";
import { testPurgeFilters } from "./test-purge-filters.js";
import { testAgentImportStore } from "./test-agent-import-store.js";
import { testAlertStore } from "./test-alert-store.js";
import { testUsageTags } from "./test-usage-tags.js";
import { testTagLimits } from "./test-tag-limits.js";
import { testTagReports } from "./test-tag-reports.js";
import { testStoreDeclaration } from "./test-store-declaration.js";
import { testOptionalParts } from "./test-optional-parts.js";

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
    const fourModels = () => [
      sampleRecord({ timestamp: at(0), model: "a", promptTokens: 1, completionTokens: 2, totalTokens: 3, costNanos: 10n, executionTime: 0.5 }),
      sampleRecord({ timestamp: at(10), model: "b", promptTokens: 10, completionTokens: 20, totalTokens: 30, costNanos: 100n, executionTime: 1.5 }),
      sampleRecord({ timestamp: at(20), model: "a", promptTokens: 100, completionTokens: 200, totalTokens: 300, costNanos: 1000n, executionTime: 2 }),
      sampleRecord({ timestamp: at(30), model: "c", promptTokens: 1000, completionTokens: 2000, totalTokens: 3000, costNanos: 10000n, executionTime: 4 }),
    ];

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

    it("sums a range with both bounds inclusive", async () => {
      await store.insertUsageBatch(fourModels());
      const totals = await store.sumUsage({ start: at(0), end: at(20) });
      expect(totals).toMatchObject({ requests: 3, promptTokens: 111, completionTokens: 222, totalTokens: 333, costNanos: 1110n, executionTime: 4 });
      expect(totals.localPromptTokens).toBe(3 * 98);
      expect(totals.cachedTokens).toBe(60);
      expect(totals.reasoningTokens).toBe(21);
      const none = await store.sumUsage({ start: at(21), end: at(29) });
      expect(none).toMatchObject({ requests: 0, promptTokens: 0, costNanos: 0n, executionTime: 0 });
    });

    it("sums per model, ordered by model name", async () => {
      await store.insertUsageBatch(fourModels());
      const perModel = await groupedSumsOf(store).sumUsageByModel({ start: at(0), end: at(30) });
      expect(perModel.map((m) => [m.model, m.requests, m.promptTokens, m.costNanos])).toEqual([
        ["a", 2, 101, 1010n],
        ["b", 1, 10, 100n],
        ["c", 1, 1000, 10000n],
      ]);
      expect(await groupedSumsOf(store).sumUsageByModel({ start: at(40), end: at(50) })).toEqual([]);
    });

    it("sums any range exactly as a row-by-row sum would, whatever hours it cuts", async () => {
      // Records every 7 minutes over 6 hours, with costs and times that expose any double counting.
      const records = Array.from({ length: 52 }, (_, i) =>
        sampleRecord({ timestamp: new Date(T0 + i * 7 * 60_000 + (i % 3)), model: i % 2 ? "even" : "odd", promptTokens: i, costNanos: BigInt(1000 + i), executionTime: i / 8 }),
      );
      await store.insertUsageBatch(records);
      const ranges: [number, number][] = [
        [0, 6 * 60], [0, 60], [59, 61], [30, 150], [60, 120], [61, 119], [0.001, 359.999], [7, 7], [120, 240.5], [-60, 0],
      ];
      for (const [from, to] of ranges) {
        const range = { start: new Date(T0 + from * 60_000), end: new Date(T0 + to * 60_000) };
        const inside = records.filter((r) => r.timestamp >= range.start && r.timestamp <= range.end);
        const totals = await store.sumUsage(range);
        expect([from, to, totals.requests, totals.promptTokens, totals.costNanos, totals.executionTime]).toEqual([
          from, to, inside.length, inside.reduce((a, r) => a + r.promptTokens, 0), inside.reduce((a, r) => a + r.costNanos, 0n), inside.reduce((a, r) => a + r.executionTime, 0),
        ]);
        const perModel = await groupedSumsOf(store).sumUsageByModel(range);
        expect(perModel.map((m) => [m.model, m.requests])).toEqual(
          ["even", "odd"].map((model) => [model, inside.filter((r) => r.model === model).length]).filter(([, n]) => n !== 0),
        );
      }
      await store.purgeUsage();
      const after = await store.sumUsage({ start: new Date(T0 - 86_400_000), end: new Date(T0 + 86_400_000) });
      expect(after.requests).toBe(0);
      expect(after.costNanos).toBe(0n);
    });

    it("breaks usage down by user, project, caller and service tier exactly, whatever days a range cuts", async () => {
      const [users, projects, callers, tiers] = [["ann", "bob", null, ""], ["p1", null, "p2"], ["c1", "c2", null], ["batch", null, "flex", "batch", "priority"]];
      const records = Array.from({ length: 60 }, (_, i) =>
        sampleRecord({ timestamp: new Date(T0 + i * 2 * 3_600_000 + (i % 5)), username: users[i % 4]!, project: projects[i % 3]!, callerName: callers[(i * 7) % 3]!, serviceTier: tiers[i % 5]!, costNanos: BigInt(100 + i), promptTokens: i, executionTime: i / 4 }),
      );
      await store.insertUsageBatch(records);
      const DAY = 86_400_000;
      const ranges: [number, number][] = [[0, 5 * DAY], [0, DAY - 1], [DAY / 2, 3.5 * DAY], [DAY, 2 * DAY], [DAY + 1, 2 * DAY - 1], [-DAY, 10 * DAY]];
      for (const [from, to] of ranges) {
        const range = { start: new Date(T0 + from), end: new Date(T0 + to) };
        const inside = records.filter((r) => r.timestamp >= range.start && r.timestamp <= range.end);
        for (const dimension of ["username", "project", "callerName", "serviceTier"] as const) {
          const expected = new Map<string | null, { requests: number; cost: bigint; tokens: number; time: number }>();
          for (const r of inside) {
            const key = r[dimension] ?? null;
            const e = expected.get(key) ?? { requests: 0, cost: 0n, tokens: 0, time: 0 };
            expected.set(key, { requests: e.requests + 1, cost: e.cost + r.costNanos, tokens: e.tokens + r.promptTokens, time: e.time + r.executionTime });
          }
          const got = await groupedSumsOf(store).sumUsageBy(range, dimension);
          const want = [...expected.entries()].sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0));
          expect([dimension, from, to, got.map((g) => [g.key, g.requests, g.costNanos, g.promptTokens, g.executionTime])]).toEqual([
            dimension, from, to, want.map(([key, e]) => [key, e.requests, e.cost, e.tokens, e.time]),
          ]);
        }
      }
      await store.purgeUsage();
      expect(await groupedSumsOf(store).sumUsageBy({ start: new Date(T0 - DAY), end: new Date(T0 + 10 * DAY) }, "username")).toEqual([]);
    });

    it("keeps money exact: 10,000 costs of 0.0001 USD sum to exactly 1 USD", async () => {
      const records = Array.from({ length: 10_000 }, (_, i) => sampleRecord({ timestamp: at(i % 60), costNanos: 100_000n }));
      await store.insertUsageBatch(records);
      const totals = await store.sumUsage({ start: at(0), end: at(60) });
      expect(totals.requests).toBe(10_000);
      expect(totals.costNanos).toBe(1_000_000_000n);
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
