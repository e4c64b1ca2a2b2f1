import { groupedSumsOf } from "@llm-accounting/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Accounting, ValidationError } from "@llm-accounting/core";
import type { UsageStore } from "@llm-accounting/core";
import { sampleRecord } from "./sample-records.js";
import type { TestStoreOptions } from "./test-store-options.js";
import { freshStore } from "./fresh-store.js";

const at = (day: number, hour = 12) => new Date(Date.UTC(2025, 3, day, hour));
const ALL = { start: new Date(0), end: new Date("2100-01-01T00:00:00Z") };

/** `purgeUsage` with `before` and `project`: only matching entries go, and the rollups (sums by hour, model and project) follow. */
export function testPurgeFilters(options: TestStoreOptions): void {
  describe(`store contract, purge filters: ${options.name}`, () => {
    let store: UsageStore;
    beforeEach(async () => {
      store = await freshStore(options);
      await store.insertUsageBatch([
        sampleRecord({ timestamp: at(1), project: "alpha", model: "a", costNanos: 1n }),
        sampleRecord({ timestamp: at(2), project: "beta", model: "a", costNanos: 10n }),
        sampleRecord({ timestamp: at(3), project: null, model: "b", costNanos: 100n }),
        sampleRecord({ timestamp: at(4), project: "alpha", model: "b", costNanos: 1000n }),
      ]);
    });
    afterEach(async () => {
      await store?.close();
    });

    const left = async () => (await store.tail(100)).map((r) => Number(r.costNanos)).sort((x, y) => x - y);
    const sums = async () => ({
      total: (await store.sumUsage(ALL)).costNanos,
      byModel: Object.fromEntries((await groupedSumsOf(store).sumUsageByModel(ALL)).map((m) => [m.model, m.costNanos])),
      byProject: Object.fromEntries((await groupedSumsOf(store).sumUsageBy(ALL, "project")).map((g) => [String(g.key), g.costNanos])),
    });

    it("deletes only entries strictly before `before`, and the sums follow", async () => {
      expect(await store.purgeUsage({ before: at(3) })).toBe(2);
      expect(await left()).toEqual([100, 1000]);
      expect(await sums()).toEqual({ total: 1100n, byModel: { b: 1100n }, byProject: { alpha: 1000n, null: 100n } });
    });

    it("deletes only the project's entries, never those without a project", async () => {
      expect(await store.purgeUsage({ project: "alpha" })).toBe(2);
      expect(await left()).toEqual([10, 100]);
      expect(await sums()).toEqual({ total: 110n, byModel: { a: 10n, b: 100n }, byProject: { beta: 10n, null: 100n } });
    });

    it("combines both filters, reports progress on matches only, and deletes nothing when nothing matches", async () => {
      const seen: [number, number][] = [];
      expect(await store.purgeUsage({ before: at(4, 13), project: "alpha", onProgress: (done, total) => seen.push([done, total]) })).toBe(2);
      expect(seen.at(-1)).toEqual([2, 2]);
      expect(await left()).toEqual([10, 100]);
      expect(await store.purgeUsage({ before: at(1) })).toBe(0);
      expect(await store.purgeUsage({ project: "nobody" })).toBe(0);
      expect(await left()).toEqual([10, 100]);
      expect((await sums()).total).toBe(110n);
    });

    it("is refused by the facade for an invalid date", async () => {
      const acct = new Accounting({ store });
      await expect(acct.purge({ before: new Date(Number.NaN) })).rejects.toBeInstanceOf(ValidationError);
      expect(await left()).toEqual([1, 10, 100, 1000]);
    });
  });
}
