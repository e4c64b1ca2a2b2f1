import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Accounting, groupedSumsOf, importsOf, storeCan, tagSumsOf, USAGE_FILTER_FIELDS, type TagBreakdownFilter, type UsageRecordFilter, type UsageStore } from "@llm-accounting/core";
import { sampleRecord } from "./sample-records.js";
import { freshStore } from "./fresh-store.js";
import type { TestStoreOptions } from "./test-store-options.js";
import { withoutParts } from "./without-parts.js";

const at = (minutes: number) => new Date(Date.UTC(2025, 5, 1) + minutes * 60_000);
const range = { start: at(0), end: at(60) };
// Values that add up exactly in any order, with a null in every column a group can be null in.
const rows = [
  sampleRecord({ timestamp: at(1), model: "b", username: "u1", callerName: null, project: "p1", session: "s1", serviceTier: "batch", executionTime: 0.5, costNanos: 10n, tags: { team: "x" } }),
  sampleRecord({ timestamp: at(2), model: "a", username: null, callerName: "c1", project: "p1", session: null, serviceTier: null, executionTime: 1.5, costNanos: 20n, tags: { team: "y", env: "prod" } }),
  sampleRecord({ timestamp: at(3), model: "a", username: "u2", callerName: "c1", project: null, session: "s1", serviceTier: "batch", executionTime: 2, costNanos: 40n }),
  sampleRecord({ timestamp: at(4), model: "c", username: "u1", callerName: "c2", project: "p2", session: "s2", executionTime: 0.25, costNanos: 80n, tags: { team: "x", env: "prod" } }),
  sampleRecord({ timestamp: at(90), model: "a", username: "u1", executionTime: 4, costNanos: 160n }),
];
const filters: UsageRecordFilter[] = [{}, { model: "a" }, { username: null }, { project: "p1", session: "s1" }, { serviceTier: "batch" }, { serviceTier: null, model: "a" }];

/**
 * The optional parts the facade does without: whatever a store declares, the facade's fallback
 * over the required methods gives the same answers as the store's own methods (so these cases
 * check the fallbacks on every store), and the parts without a fallback are refused by name.
 */
export function testOptionalParts(options: TestStoreOptions): void {
  describe(`store contract, optional parts: ${options.name}`, () => {
    let store: UsageStore;
    beforeEach(async () => {
      store = await freshStore(options);
    });
    afterEach(async () => {
      await store?.close();
    });

    it("sums per model and per column: the fallback over usageInRange agrees with the store", async () => {
      await store.insertUsageBatch(rows);
      const own = groupedSumsOf(store);
      const fallback = groupedSumsOf(withoutParts(store, ["groupedSums"]));
      for (const filter of filters) {
        expect(await fallback.sumUsageByModel(range, filter), JSON.stringify(filter)).toEqual(await own.sumUsageByModel(range, filter));
        for (const dimension of USAGE_FILTER_FIELDS) {
          expect(await fallback.sumUsageBy(range, dimension, filter), `${dimension} ${JSON.stringify(filter)}`).toEqual(await own.sumUsageBy(range, dimension, filter));
        }
      }
      expect((await fallback.sumUsageBy(range, "username")).map((g) => [g.key, g.requests, g.costNanos, g.executionTime])).toEqual([
        ["u1", 2, 90n, 0.75],
        ["u2", 1, 40n, 2],
        [null, 1, 20n, 1.5],
      ]);
      // The fourth row keeps the sample record's tier.
      expect((await own.sumUsageBy(range, "serviceTier", { project: "p1" })).map((g) => [g.key, g.requests, g.costNanos])).toEqual([["batch", 1, 10n], [null, 1, 20n]]);
      expect((await own.sumUsageBy(range, "model", { serviceTier: "batch" })).map((g) => [g.key, g.costNanos])).toEqual([["a", 40n], ["b", 10n]]);
    });

    it("sums per tag and of tagged records: the fallback agrees with the store", async () => {
      await store.insertUsageBatch(rows);
      const own = tagSumsOf(store);
      const fallback = tagSumsOf(withoutParts(store, ["tagSums", "taggedSums"]));
      for (const filter of [{}, { tags: { env: "prod" } }, { model: "a", tags: { team: "y" } }] as TagBreakdownFilter[]) {
        expect(await fallback.sumUsageByTag(range, "team", filter)).toEqual(await own.sumUsageByTag(range, "team", filter));
        for (const dimension of [null, ...USAGE_FILTER_FIELDS]) {
          expect(await fallback.sumTaggedUsage(range, dimension, filter)).toEqual(await own.sumTaggedUsage(range, dimension, filter));
        }
      }
      expect((await fallback.sumUsageByTag(range, "team")).map((g) => [g.key, g.requests])).toEqual([["x", 2], ["y", 1], [null, 1]]);
    });

    it("reprice without costUpdates: the dry run reports the changes, applying refuses and changes nothing", async () => {
      await store.insertUsageBatch(rows);
      const accounting = new Accounting({ store: withoutParts(store, ["costUpdates"]) });
      await accounting.setModelPrice({ model: "a", inputPerMTok: 1, outputPerMTok: 1, effectiveFrom: at(0) });
      const dry = await accounting.reprice(at(0), at(60), { includeCallerCosts: true });
      expect(dry.changes.map((c) => c.model)).toEqual(["a", "a"]);
      await expect(accounting.reprice(at(0), at(60), { includeCallerCosts: true, apply: true })).rejects.toThrow(/cannot change stored costs/);
      expect((await store.usageInRange(range, 0, 10)).map((r) => r.costNanos)).toEqual([10n, 20n, 40n, 80n]);
    });

    it("imports: rows and cursor move together when the store has them, else the store is refused by name", async () => {
      if (!storeCan(store, "imports")) {
        expect(() => importsOf(store)).toThrow(/cannot take imports/);
        return;
      }
      const imports = importsOf(store);
      expect(await imports.importCursor("usage")).toBe(0);
      await imports.importRows({ kind: "usage", rows: rows.slice(0, 2) }, { key: "usage", value: 2 });
      await imports.importRows({ kind: "rejections", rows: [{ createdAt: at(5), session: "s1", message: "no" }] }, { key: "rejections", value: 7 });
      expect([await imports.importCursor("usage"), await imports.importCursor("rejections"), await imports.importCursor("audit")]).toEqual([2, 7, 0]);
      expect((await store.usageInRange(range, 0, 10)).map((r) => r.costNanos)).toEqual([10n, 20n]);
      expect((await store.listRejections("s1")).map((r) => r.message)).toEqual(["no"]);
      expect(() => importsOf(withoutParts(store, ["imports"]))).toThrow(/cannot take imports/);
    });
  });
}
