import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Accounting, type NewUsageRecord, type UsageStore } from "@llm-accounting/core";
import { sampleRecord } from "./sample-records.js";
import { freshStore } from "./fresh-store.js";
import type { TestStoreOptions } from "./test-store-options.js";

const T0 = Date.parse("2025-04-01T00:00:00.000Z");
const HOUR = 3_600_000;
const at = (hours: number) => new Date(T0 + hours * HOUR);

/** Reports narrowed by tags: totals, per model, rankings and breakdowns count only the records carrying every tag given. */
export function testTagReports(options: TestStoreOptions): void {
  describe(`store contract: ${options.name}: reports narrowed by tags`, () => {
    let store: UsageStore;
    let accounting: Accounting;
    // Over three days with whole hours and ragged edges, so a store with a rollup reads both.
    const records: NewUsageRecord[] = [
      sampleRecord({ timestamp: at(1.5), model: "a", costNanos: 1n, project: "p", tags: { team: "x", env: "prod" } }),
      sampleRecord({ timestamp: at(2), model: "b", costNanos: 2n, project: null, tags: { team: "x" } }),
      sampleRecord({ timestamp: at(30.25), model: "a", costNanos: 4n, project: "p", tags: { team: "y", env: "prod" } }),
      sampleRecord({ timestamp: at(50), model: "b", costNanos: 8n, project: "q", tags: { env: "prod" } }),
      sampleRecord({ timestamp: at(70.75), model: "a", costNanos: 16n, project: "p" }),
    ];
    const cost = (tags: Record<string, string>, keep: (r: NewUsageRecord) => boolean = () => true) =>
      records.filter((r) => keep(r) && Object.entries(tags).every(([k, v]) => r.tags?.[k] === v)).reduce((s, r) => s + r.costNanos, 0n);
    // Every case reads the same records: each gets them in a fresh store of its own.
    beforeEach(async () => {
      store = await freshStore(options);
      accounting = new Accounting({ store });
      await store.insertUsageBatch(records.slice(0, 3));
      for (const r of records.slice(3)) await store.insertUsage(r);
    });
    afterEach(async () => {
      await accounting?.close();
    });

    it("period stats, per model stats and rankings of one tag and of two", async () => {
      for (const tags of [{ team: "x" }, { env: "prod" }, { team: "x", env: "prod" }, { team: "none" }] as Record<string, string>[]) {
        for (const [start, end] of [[at(0), at(72)], [at(1.75), at(49.5)], [at(1.6), at(1.7)]] as const) {
          const inRange = (r: NewUsageRecord) => r.timestamp >= start && r.timestamp <= end;
          expect((await accounting.getPeriodStats(start, end, { tags })).sumCostNanos).toBe(cost(tags, inRange));
          const models = await accounting.getModelStats(start, end, { tags });
          expect(models.map((m) => [m.model, m.stats.sumCostNanos])).toEqual(
            // Every cost is positive, so a model with matching records has a positive sum.
            ["a", "b"].map((m) => [m, cost(tags, (r) => inRange(r) && r.model === m)] as const).filter(([, c]) => c > 0n),
          );
          expect((await accounting.getModelRankings(start, end, { tags })).cost.length).toBe(models.length);
        }
      }
    });

    it("breakdowns by a column and by another tag, narrowed by tags and columns", async () => {
      const all = [at(0), at(72)] as const;
      expect((await accounting.getUsageBreakdown(...all, "project", { tags: { env: "prod" } })).map((g) => [g.key, g.costNanos])).toEqual([["p", 5n], ["q", 8n]]);
      expect((await accounting.getUsageBreakdown(...all, "model", { tags: { team: "x" } })).map((g) => [g.key, g.costNanos])).toEqual([["a", 1n], ["b", 2n]]);
      expect((await accounting.getUsageBreakdown(...all, "project", { tags: { team: "x" }, model: "b" })).map((g) => [g.key, g.costNanos])).toEqual([[null, 2n]]);
      expect((await accounting.getUsageByTag(...all, "team", { tags: { env: "prod" } })).map((g) => [g.key, g.costNanos])).toEqual([["x", 1n], ["y", 4n], [null, 8n]]);
      expect((await accounting.getUsageByTag(...all, "team")).map((g) => [g.key, g.requests, g.costNanos])).toEqual([["x", 2, 3n], ["y", 1, 4n], [null, 2, 24n]]);
      await expect(accounting.getPeriodStats(...all, { tags: { "bad key": "x" } })).rejects.toThrow(/tags\.bad key/);
    });
  });
}
