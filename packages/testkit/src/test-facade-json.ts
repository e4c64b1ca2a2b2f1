import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Accounting } from "@llm-accounting/core";
import type { Pricer, UsageStore } from "@llm-accounting/core";
import type { TestStoreOptions } from "./test-store-options.js";
import { freshStore } from "./fresh-store.js";

const day = (d: number) => new Date(Date.UTC(2025, 4, d, 12));
const RANGE = [day(1), day(28)] as const;

/** A pricer that knows one model, so the scenarios see priced and unpriced calls side by side. */
const onePrice: Pricer = {
  quote: (usage) => (usage.model === "known" ? { priced: true, costNanos: 1_000_000_007n, source: "test" } : { priced: false, reason: `no price for '${usage.model}'` }),
};

/** JSON.stringify then parse: what a service sending results over HTTP gets. */
const viaJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

/**
 * The facade's results through `JSON.stringify` (money in USD beside exact nano-dollar strings),
 * and calls without a cost or a price recorded as `unpriced` and reported once per model.
 */
export function testFacadeJson(options: TestStoreOptions): void {
  describe(`facade results as JSON, unpriced calls: ${options.name}`, () => {
    let store: UsageStore;
    let acct: Accounting;
    let reported: string[] = [];
    beforeEach(async () => {
      reported = [];
      store = await freshStore(options);
      acct = new Accounting({ store, pricer: onePrice, priceRefreshMs: 0, now: () => day(20), onUnpriced: (model) => reported.push(model) });
      await acct.open();
    });
    afterEach(async () => {
      await acct?.close();
    });

    it("stringifies tracked records and tail: cost in USD, costNanos exact, timestamp ISO", async () => {
      const tracked = await acct.trackUsage({ model: "known", promptTokens: 3, completionTokens: 4, timestamp: day(2), username: "ann" });
      await acct.trackUsage({ model: "given", cost: 0.000000001, timestamp: day(3) });
      expect(viaJson(tracked)).toMatchObject({ id: tracked.id, model: "known", cost: 1.000000007, costNanos: "1000000007", costSource: "price", timestamp: "2025-05-02T12:00:00.000Z", username: "ann", totalTokens: 7 });
      const rows = viaJson(await acct.tail(-1)) as Record<string, unknown>[];
      expect(rows.map((r) => [r.model, r.cost, r.costNanos])).toEqual([["given", 0.000000001, "1"], ["known", 1.000000007, "1000000007"]]);
      // The values stay plain data: equality and spreads see no extra field.
      expect(Object.keys(tracked)).not.toContain("toJSON");
      expect({ ...tracked }).toEqual({ ...tracked, costNanos: 1_000_000_007n });
      const { record } = await acct.trackUsageWithRemainingLimits({ model: "given", cost: 2, timestamp: day(4) });
      expect(viaJson({ record })).toMatchObject({ record: { cost: 2, costNanos: "2000000000" } });
    });

    it("stringifies period and model stats, rankings and breakdowns", async () => {
      await acct.trackUsage({ model: "known", promptTokens: 3, timestamp: day(2), project: "p" });
      await acct.trackUsage({ model: "given", cost: 0.25, timestamp: day(3) });
      expect(viaJson(await acct.getPeriodStats(...RANGE))).toMatchObject({ requests: 2, sumCost: 1.250000007, sumCostNanos: "1250000007", avgCost: 1.250000007 / 2 });
      expect(viaJson(await acct.getModelStats(...RANGE))).toEqual([
        { model: "given", stats: expect.objectContaining({ sumCost: 0.25, sumCostNanos: "250000000" }) },
        { model: "known", stats: expect.objectContaining({ sumCost: 1.000000007, sumCostNanos: "1000000007" }) },
      ]);
      expect((viaJson(await acct.getModelRankings(...RANGE)) as { cost: unknown }).cost).toEqual([{ model: "known", value: 1.000000007 }, { model: "given", value: 0.25 }]);
      for (const dimension of ["model", "project"] as const) {
        const groups = viaJson(await acct.getUsageBreakdown(...RANGE, dimension)) as Record<string, unknown>[];
        expect(groups.map((g) => [g.cost, g.costNanos]).sort(), dimension).toEqual([[0.25, "250000000"], [1.000000007, "1000000007"]]);
      }
    });

    it("stringifies quotes, prices, reprice results, limit status, remaining limits, decisions and reservations", async () => {
      expect(viaJson(await acct.quoteCost({ model: "known", promptTokens: 1 }))).toEqual({ cost: 1.000000007, costNanos: "1000000007", costSource: "price" });
      // Tracked before its price exists: unpriced, so the reprice below has a change to report.
      await acct.trackUsage({ model: "stored", promptTokens: 1_000_000, timestamp: day(5) });
      const price = await acct.setModelPrice({ model: "stored", inputPerMTok: 2.5, cacheReadPerMTok: 0.25, outputPerMTok: 10, effectiveFrom: day(1) });
      expect(viaJson(price)).toMatchObject({ model: "stored", inputPerMTok: 2.5, inputNanosPerMTok: "2500000000", cacheReadPerMTok: 0.25, cacheReadNanosPerMTok: "250000000", cacheWritePerMTok: null, cacheWriteNanosPerMTok: null, outputPerMTok: 10, outputNanosPerMTok: "10000000000", effectiveFrom: "2025-05-01T12:00:00.000Z" });
      expect(viaJson(await acct.listModelPrices())).toEqual([viaJson(price)]);
      await acct.trackUsage({ model: "mystery", timestamp: day(5) });
      const repriced = viaJson(await acct.reprice(...RANGE)) as Record<string, unknown>;
      expect(repriced).toMatchObject({ applied: false, examined: 2, oldTotal: 0, oldTotalNanos: "0", newTotal: 2.5, newTotalNanos: "2500000000", unpriced: { mystery: 1 } });
      expect(repriced.changes).toEqual([expect.objectContaining({ model: "stored", oldCost: 0, oldCostNanos: "0", newCost: 2.5, newCostNanos: "2500000000", timestamp: "2025-05-05T12:00:00.000Z" })]);

      await acct.setUsageLimit({ scope: "GLOBAL", limitType: "cost", maxValue: 10, intervalUnit: "day", intervalValue: 1, model: null, username: null, callerName: null, projectName: null });
      await acct.setUsageLimit({ scope: "MODEL", limitType: "requests", maxValue: -1, intervalUnit: "day", intervalValue: 1, model: "known", username: null, callerName: null, projectName: null });
      await acct.trackUsage({ model: "given", cost: 1.5 });
      // An unlimited limit's Infinity becomes null in JSON.
      const status = viaJson(await acct.getLimitStatus()) as Record<string, unknown>[];
      expect(status.map((s) => JSON.stringify([s.used, s.remaining])).sort()).toEqual(["[0,null]", "[1.5,8.5]"]);
      const remaining = viaJson(await acct.getRemainingLimits({ model: "known" })) as Record<string, unknown>[];
      expect(remaining.map((r) => JSON.stringify(r.remaining)).sort()).toEqual(["8.5", "null"]);
      expect(viaJson(await acct.checkQuota({ model: "given", cost: 9 }))).toMatchObject({ allowed: false, retryAfterSeconds: expect.any(Number), resetAt: expect.any(String) });
      const reservation = await acct.reserve({ model: "given", cost: 1 });
      expect(viaJson(reservation)).toEqual({ id: reservation.id });
      expect(viaJson(await reservation.commit({ cost: 0.5 }))).toMatchObject({ model: "given", cost: 0.5, costNanos: "500000000", costSource: "caller" });
    });

    it("records a call with no cost and no price as unpriced, and reports each model once", async () => {
      const first = await acct.trackUsage({ model: "puzzle", promptTokens: 10, timestamp: day(2) });
      await acct.trackUsage({ model: "puzzle", promptTokens: 5, timestamp: day(2) });
      await acct.trackUsageBatch([{ model: "enigma", promptTokens: 1, timestamp: day(2) }, { model: "puzzle", timestamp: day(2) }, { model: "known", timestamp: day(2) }]);
      expect([first.costNanos, first.costSource]).toEqual([0n, "unpriced"]);
      // Once per model and facade: "puzzle" three times, "enigma" once; "known" has a price.
      expect(reported).toEqual(["puzzle", "enigma"]);
      // Without any pricer or stored price the call is unpriced too, never a silent 0 with no source.
      const bare = new Accounting({ store, priceRefreshMs: 0, onUnpriced: (model) => reported.push(`bare:${model}`) });
      const record = await bare.trackUsage({ model: "nothing-to-price-with", promptTokens: 10, timestamp: day(2) });
      expect([record.costNanos, record.costSource]).toEqual([0n, "unpriced"]);
      expect((await bare.quoteCost({ model: "nothing-to-price-with", promptTokens: 1 })).costSource).toBe("unpriced");
      expect(reported).toEqual(["puzzle", "enigma", "bare:nothing-to-price-with"]);
      const stored = (await acct.tail(-1)).filter((r) => r.model !== "known" && r.model !== "nothing-to-price-with");
      expect(stored.map((r) => r.costSource)).toEqual(["unpriced", "unpriced", "unpriced", "unpriced"]);
    });

    it("warns through a process warning by default, once per model", async () => {
      const warnings: Error[] = [];
      const listen = (warning: Error) => warnings.push(warning);
      process.on("warning", listen);
      try {
        const plain = new Accounting({ store });
        await plain.trackUsage({ model: "default-warned", promptTokens: 1 });
        await plain.trackUsage({ model: "default-warned", promptTokens: 2 });
        await new Promise((resolve) => setImmediate(resolve)); // process warnings are emitted on the next tick
      } finally {
        process.off("warning", listen);
      }
      // Other scenarios' warnings may arrive here too: count this model's.
      const mine = warnings.filter((w) => w.name === "UnpricedModelWarning" && w.message.includes("'default-warned'"));
      expect(mine.map((w) => w.message)).toEqual([expect.stringMatching(/^no price for model 'default-warned': its calls are recorded with cost 0 and costSource 'unpriced'/)]);
    });
  });
}
