import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { groupedSumsOf, type UsageStore } from "@llm-accounting/core";
import { sampleRecord } from "./sample-records.js";
import { freshStore } from "./fresh-store.js";
import type { TestStoreOptions } from "./test-store-options.js";

const T0 = Date.parse("2025-01-15T00:00:00.000Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

/** Sums over a range: totals, per model and per column, exact whatever hours or days the range cuts, and money kept exact. */
export function testUsageSums(options: TestStoreOptions): void {
  // The same title as the core cases' block, so these cases keep their full names (and `-t` filters).
  describe(`store contract: ${options.name}`, () => {
    let store: UsageStore;
    beforeEach(async () => {
      store = await freshStore(options);
    });
    afterEach(async () => {
      await store?.close();
    });
    const fourModels = () => [
      sampleRecord({ timestamp: at(0), model: "a", promptTokens: 1, completionTokens: 2, totalTokens: 3, costNanos: 10n, executionTime: 0.5 }),
      sampleRecord({ timestamp: at(10), model: "b", promptTokens: 10, completionTokens: 20, totalTokens: 30, costNanos: 100n, executionTime: 1.5 }),
      sampleRecord({ timestamp: at(20), model: "a", promptTokens: 100, completionTokens: 200, totalTokens: 300, costNanos: 1000n, executionTime: 2 }),
      sampleRecord({ timestamp: at(30), model: "c", promptTokens: 1000, completionTokens: 2000, totalTokens: 3000, costNanos: 10000n, executionTime: 4 }),
    ];

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
  });
}
