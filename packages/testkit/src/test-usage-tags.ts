import { tagSumsOf } from "@llm-accounting/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Accounting, withUsageContext, type NewUsageRecord, type UsageStore } from "@llm-accounting/core";
import { sampleRecord } from "./sample-records.js";
import type { TestStoreOptions } from "./test-store-options.js";
import { freshStore } from "./fresh-store.js";

const T0 = Date.parse("2025-03-01T00:00:00.000Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const ALL = { start: new Date(0), end: new Date("2100-01-01T00:00:00Z") };

/** Tags on usage records: stored with the row, read back by tail and usageInRange, removed with it. */
export function testUsageTags(options: TestStoreOptions): void {
  describe(`store contract: ${options.name}: tags`, () => {
    let store: UsageStore;
    const sql = options.capabilities?.sql !== false;
    const tagRows = async (): Promise<number> => Number((await store.readOnlyQuery("SELECT COUNT(*) AS n FROM usage_tags")).rows[0]!.n);
    beforeEach(async () => {
      store = await freshStore(options);
    });
    afterEach(async () => {
      await store?.close();
    });

    it("reads a record's tags back with it; a record without tags has no tags key", async () => {
      const tagged = sampleRecord({ timestamp: at(1), tags: { feature: "search", "tenant.id": "acme é 😀" } });
      const plain = sampleRecord({ timestamp: at(2) });
      const taggedId = await store.insertUsage(tagged);
      const plainId = await store.insertUsage(plain);
      expect(await store.tail(5)).toEqual([
        { id: plainId, ...plain },
        { id: taggedId, ...tagged },
      ]);
      expect(await store.usageInRange(ALL, 0, 10)).toEqual([
        { id: taggedId, ...tagged },
        { id: plainId, ...plain },
      ]);
      expect((await store.tail(5))[0]).not.toHaveProperty("tags");
    });

    it("writes a batch's tags to the right records, whatever their mix", async () => {
      // More rows than one multi-row insert holds, tagged and untagged interleaved.
      const records: NewUsageRecord[] = Array.from({ length: 60 }, (_, i) =>
        sampleRecord({ timestamp: at(10 + i), model: `m${i}`, ...(i % 3 === 0 ? {} : { tags: { row: String(i), kind: i % 2 ? "odd" : "even" } }) }),
      );
      await store.insertUsageBatch(records);
      const read = await store.usageInRange(ALL, 0, 100);
      expect(read.map(({ id: _, ...record }) => record)).toEqual(records);
      if (sql) expect(await tagRows()).toBe(80);
    });

    it("deletes tags with their records (purge), and a failed batch leaves none", async () => {
      await store.insertUsage(sampleRecord({ timestamp: at(1), project: "p1", tags: { a: "1" } }));
      await store.insertUsage(sampleRecord({ timestamp: at(2), project: "p2", tags: { a: "2" } }));
      expect(await store.purgeUsage({ project: "p1" })).toBe(1);
      expect((await store.tail(5)).map((r) => r.tags)).toEqual([{ a: "2" }]);
      if (sql) expect(await tagRows()).toBe(1);
      await store.purgeUsage();
      if (sql) expect(await tagRows()).toBe(0);
      const bad = sampleRecord({ model: null as unknown as string, tags: { b: "x" } });
      await expect(store.insertUsageBatch([sampleRecord({ tags: { b: "y" } }), bad])).rejects.toThrow();
      expect(await store.tail(5)).toEqual([]);
      if (sql) expect(await tagRows()).toBe(0);
    });

    it("records the facade's, the context's and the call's tags merged, one call or a batch", async () => {
      const acct = new Accounting({ store, tags: { env: "prod", team: "core" } });
      await withUsageContext({ tags: { team: "search", tenant: "acme" } }, async () => {
        await acct.trackUsage({ model: "one", timestamp: at(1), tags: { tenant: "globex" } });
        await acct.trackUsageBatch([{ model: "batch", timestamp: at(2) }]);
      });
      await acct.trackUsage({ model: "plain", timestamp: at(3) });
      const tags = Object.fromEntries((await store.tail(5)).map((r) => [r.model, r.tags]));
      expect(tags).toEqual({
        one: { env: "prod", team: "search", tenant: "globex" },
        batch: { env: "prod", team: "search", tenant: "acme" },
        plain: { env: "prod", team: "core" },
      });
    });

    it("breaks usage down by a tag key (untagged last, as null) and filters tail and breakdowns by tags", async () => {
      const row = (minute: number, cost: bigint, tags: Record<string, string> | undefined, model = "m") =>
        sampleRecord({ timestamp: at(minute), model, costNanos: cost, totalTokens: 10, ...(tags && { tags }) });
      await store.insertUsageBatch([
        row(1, 1n, { team: "b", env: "prod" }),
        row(2, 2n, { team: "a", env: "prod" }),
        row(3, 4n, { team: "b", env: "dev" }, "other"),
        row(4, 8n, { env: "prod" }),
        row(5, 16n, undefined),
      ]);
      await store.insertUsage(row(6, 32n, { team: "a" }));
      const byTeam = (filter = {}) => tagSumsOf(store).sumUsageByTag(ALL, "team", filter).then((groups) => groups.map((g) => [g.key, g.requests, g.totalTokens, g.costNanos]));
      expect(await byTeam()).toEqual([
        ["a", 2, 20, 34n],
        ["b", 2, 20, 5n],
        [null, 2, 20, 24n],
      ]);
      expect(await byTeam({ tags: { env: "prod" } })).toEqual([
        ["a", 1, 10, 2n],
        ["b", 1, 10, 1n],
        [null, 1, 10, 8n],
      ]);
      expect(await byTeam({ model: "other" })).toEqual([["b", 1, 10, 4n]]);
      expect(await tagSumsOf(store).sumUsageByTag({ start: at(2), end: at(3) }, "nope")).toEqual([expect.objectContaining({ key: null, requests: 2, costNanos: 6n })]);
      expect((await store.tail(10, { tags: { env: "prod", team: "b" } })).map((r) => r.costNanos)).toEqual([1n]);
      expect((await store.tail(10, { tags: { env: "prod" }, until: at(3) })).map((r) => r.costNanos)).toEqual([2n, 1n]);
      const acct = new Accounting({ store });
      expect((await acct.getUsageByTag(at(0), at(10), "env")).map((g) => [g.key, g.requests])).toEqual([["dev", 1], ["prod", 3], [null, 2]]);
      await expect(acct.getUsageByTag(at(0), at(10), "bad key")).rejects.toThrow(/^tag key must be/);
    });
  });
}
