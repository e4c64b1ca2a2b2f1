import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Accounting } from "@llm-accounting/core";
import { costUpdatesOf, NotFoundError, storeCan, ValidationError } from "@llm-accounting/core";
import type { Pricer } from "@llm-accounting/core";
import type { UsageStore } from "@llm-accounting/core";
import { sampleRecord } from "./sample-records.js";
import type { TestStoreOptions } from "./test-store-options.js";
import { freshStore } from "./fresh-store.js";

const day = (d: number) => new Date(Date.UTC(2025, 2, d, 12));

/** A pricer that knows one model at a flat rate, standing in for a catalog in these scenarios. */
const catalog: Pricer = {
  quote: (usage) =>
    usage.model === "catalog-model"
      ? { priced: true, costNanos: BigInt(usage.promptTokens + usage.completionTokens) * 1000n, source: "test catalog" }
      : { priced: false, reason: `no price for model '${usage.model}'` },
};

/** Store prices, cost paging and updates, and pricing through the facade (stored prices, catalog, reprice). */
export function testPricingStore(options: TestStoreOptions): void {
  describe(`store contract, pricing: ${options.name}`, () => {
    let store: UsageStore;
    let acct: Accounting;
    beforeEach(async () => {
      store = await freshStore(options);
      acct = new Accounting({ store, pricer: catalog, priceRefreshMs: 0 });
      await acct.open();
    });
    afterEach(async () => {
      await acct?.close();
    });

    it("quotes what tracking would charge, records nothing, and validates like trackUsage", async () => {
      await acct.setModelPrice({ model: "stored-model", effectiveFrom: day(1), inputPerMTok: 2, outputPerMTok: 4 });
      expect(await acct.quoteCost({ model: "stored-model", promptTokens: 1_000_000, completionTokens: 500_000 })).toEqual({ costNanos: 4_000_000_000n, costSource: "price" });
      expect(await acct.quoteCost({ model: "catalog-model", promptTokens: 3, completionTokens: 4 })).toEqual({ costNanos: 7_000n, costSource: "price" });
      expect(await acct.quoteCost({ model: "nobody-prices-me", promptTokens: 3 })).toEqual({ costNanos: 0n, costSource: "unpriced" });
      expect(await acct.quoteCost({ model: "stored-model", promptTokens: 1_000_000, cost: 0.25 })).toEqual({ costNanos: 250_000_000n, costSource: "caller" });
      await expect(acct.quoteCost({ model: "stored-model", promptTokens: -1 })).rejects.toBeInstanceOf(ValidationError);
      expect(await store.tail(10)).toEqual([]);
    });

    it("prices 1-hour cache writes at a stored price's own rate, else by the provider's rule, and keeps the split", async () => {
      await acct.setModelPrice({ model: "claude-x", provider: "anthropic", effectiveFrom: day(1), inputPerMTok: 3, cacheWritePerMTok: 3.75, outputPerMTok: 15 });
      const call = { model: "claude-x", provider: "anthropic", timestamp: day(2), promptTokens: 4_000, cacheWriteTokens: 4_000, cacheWrite1hTokens: 1_000 };
      // 3,000 5-minute writes x 3.75 + 1,000 1-hour writes x (2 x 3, Anthropic's rule) = 11,250 + 6,000 = 17,250 USD/MTok-tokens = 17,250,000 nanos
      expect(await acct.quoteCost(call)).toEqual({ costNanos: 17_250_000n, costSource: "price" });
      await acct.setModelPrice({ model: "claude-x", provider: "anthropic", effectiveFrom: day(3), inputPerMTok: 3, cacheWritePerMTok: 3.75, cacheWrite1hPerMTok: 5, outputPerMTok: 15 });
      // 3,000 x 3.75 + 1,000 x 5 = 11,250 + 5,000 = 16,250 -> 16,250,000 nanos
      const tracked = await acct.trackUsage({ ...call, timestamp: day(4) });
      expect([tracked.costNanos, tracked.cacheWriteTokens, tracked.cacheWrite1hTokens]).toEqual([16_250_000n, 4_000, 1_000]);
      const [read] = await store.tail(1);
      expect([read!.costNanos, read!.cacheWriteTokens, read!.cacheWrite1hTokens]).toEqual([16_250_000n, 4_000, 1_000]);
    });

    it("prices a tier's calls at that tier's stored price, read back from the store", async () => {
      await acct.setModelPrice({ model: "tiered", provider: "openai", effectiveFrom: day(1), inputPerMTok: 2, outputPerMTok: 8 });
      await acct.setModelPrice({ model: "tiered", provider: "openai", effectiveFrom: day(1), inputPerMTok: 3.5, outputPerMTok: 14, serviceTier: "priority" });
      const call = { model: "tiered", provider: "openai", timestamp: day(2), promptTokens: 1_000_000, completionTokens: 1_000_000 };
      // A fresh facade over the same store reads both prices back: 2 + 8 USD standard, 3.5 + 14 priority, (2 + 8) / 2 flex.
      const again = new Accounting({ store, priceRefreshMs: 0, onUnpriced: () => undefined });
      const costs = await Promise.all([undefined, "priority", "flex"].map(async (serviceTier) => (await again.quoteCost({ ...call, ...(serviceTier && { serviceTier }) })).costNanos));
      expect(costs).toEqual([10_000_000_000n, 17_500_000_000n, 5_000_000_000n]);
    });

    it("stores, lists and deletes prices exactly", async () => {
      const a = await store.insertPrice({ model: "m", provider: null, effectiveFrom: day(10), inputNanosPerMTok: 2_500_000_000n, cacheReadNanosPerMTok: 1_250_000_000n, cacheWriteNanosPerMTok: null, outputNanosPerMTok: 10_000_000_000n, note: "list price" });
      const b = await store.insertPrice({ model: "m", provider: "azure", effectiveFrom: day(1), inputNanosPerMTok: 1n, cacheReadNanosPerMTok: null, cacheWriteNanosPerMTok: 3n, cacheWrite1hNanosPerMTok: 6n, outputNanosPerMTok: 2n, note: null, serviceTier: "priority" });
      const c = await store.insertPrice({ model: "a", provider: null, effectiveFrom: day(5), inputNanosPerMTok: 0n, cacheReadNanosPerMTok: null, cacheWriteNanosPerMTok: null, outputNanosPerMTok: 0n, note: null });
      const listed = await store.listPrices();
      expect(listed.map((p) => p.id)).toEqual([c.id, b.id, a.id]);
      expect(listed[2]).toEqual({ ...a, createdAt: expect.any(Date) });
      expect(listed[2]).toMatchObject({ model: "m", provider: null, effectiveFrom: day(10), inputNanosPerMTok: 2_500_000_000n, cacheReadNanosPerMTok: 1_250_000_000n, cacheWriteNanosPerMTok: null, note: "list price" });
      // The 1-hour cache-write rate is kept, and a price without one reads back without one.
      expect(listed[1]!.cacheWrite1hNanosPerMTok).toBe(6n);
      expect(listed[2]!.cacheWrite1hNanosPerMTok ?? null).toBeNull();
      // So is a price's service tier; a price without one is for every tier.
      expect([listed[1]!.serviceTier, listed[2]!.serviceTier ?? null]).toEqual(["priority", null]);
      expect(await store.deletePrice(b.id)).toBe(true);
      expect(await store.deletePrice(b.id)).toBe(false);
      expect((await store.listPrices()).map((p) => p.id)).toEqual([c.id, a.id]);
    });

    it("pages through a period in id order and updates costs all at once", async () => {
      for (let i = 1; i <= 7; i++) await store.insertUsage(sampleRecord({ timestamp: day(i), model: `m${i}` }));
      const first = await store.usageInRange({ start: day(2), end: day(6) }, 0, 3);
      expect(first.map((r) => r.model)).toEqual(["m2", "m3", "m4"]);
      const rest = await store.usageInRange({ start: day(2), end: day(6) }, first[2]!.id, 3);
      expect(rest.map((r) => r.model)).toEqual(["m5", "m6"]);
      if (!storeCan(store, "costUpdates")) {
        // Without the capability there is no way to change a cost: the facade refuses, naming the store.
        expect(() => costUpdatesOf(store)).toThrow(/cannot change stored costs/);
        return;
      }
      await costUpdatesOf(store)([
        { id: first[0]!.id, costNanos: 7n, costSource: "price" },
        { id: rest[1]!.id, costNanos: 0n, costSource: "unpriced" },
      ]);
      const after = await store.usageInRange({ start: day(1), end: day(7) }, 0, 100);
      expect(after.map((r) => [r.model, r.costNanos, r.costSource])).toEqual([
        ["m1", 2_500_000n, "caller"],
        ["m2", 7n, "price"],
        ["m3", 2_500_000n, "caller"],
        ["m4", 2_500_000n, "caller"],
        ["m5", 2_500_000n, "caller"],
        ["m6", 0n, "unpriced"],
        ["m7", 2_500_000n, "caller"],
      ]);
      // Totals (and any rollups behind them) follow the update.
      expect((await store.sumUsage({ start: day(1), end: day(7) })).costNanos).toBe(5n * 2_500_000n + 7n);
    });

    it("prices calls tracked without a cost: stored price by date, then the pricer, else explicitly unpriced", async () => {
      await acct.setModelPrice({ model: "mine", inputPerMTok: 2, cacheReadPerMTok: 0.5, outputPerMTok: 8, effectiveFrom: day(1) });
      await acct.setModelPrice({ model: "mine", inputPerMTok: 1, outputPerMTok: 4, effectiveFrom: day(10) });
      const usage = { promptTokens: 1_000_000, cachedTokens: 400_000, completionTokens: 100_000 };
      const early = await acct.trackUsage({ model: "mine", timestamp: day(5), ...usage });
      const late = await acct.trackUsage({ model: "mine", timestamp: day(12), ...usage });
      // 600k fresh at $2 + 400k cached at $0.5 + 100k out at $8 = 1.2 + 0.2 + 0.8
      expect([early.costNanos, early.costSource]).toEqual([2_200_000_000n, "price"]);
      // No cache rate after day 10: cached input is billed at the input rate. 1.0 + 0.4
      expect([late.costNanos, late.costSource]).toEqual([1_400_000_000n, "price"]);
      const fromCatalog = await acct.trackUsage({ model: "catalog-model", promptTokens: 10, completionTokens: 5 });
      expect([fromCatalog.costNanos, fromCatalog.costSource]).toEqual([15_000n, "price"]);
      const unknown = await acct.trackUsage({ model: "nobody-knows", promptTokens: 10 });
      expect([unknown.costNanos, unknown.costSource]).toEqual([0n, "unpriced"]);
      const given = await acct.trackUsage({ model: "mine", promptTokens: 10, cost: 0.5 });
      expect([given.costNanos, given.costSource]).toEqual([500_000_000n, "caller"]);
      expect((await acct.tail(5)).map((r) => r.costSource)).toEqual(["caller", "unpriced", "price", "price", "price"]);
    });

    it("reprices a period: dry run by default, then applies, keeping caller-given costs", async () => {
      await acct.trackUsage({ model: "late-priced", promptTokens: 2_000_000, timestamp: day(3) });
      await acct.trackUsage({ model: "late-priced", promptTokens: 1_000_000, cost: 9, timestamp: day(3) });
      await acct.trackUsage({ model: "late-priced", promptTokens: 1_000_000, timestamp: day(20) });
      await acct.trackUsage({ model: "still-unknown", promptTokens: 5, timestamp: day(4) });
      await acct.setModelPrice({ model: "late-priced", inputPerMTok: 3, outputPerMTok: 3 });
      const dry = await acct.reprice(day(1), day(10));
      expect(dry.applied).toBe(false);
      expect(dry.examined).toBe(2);
      expect(dry.changes.map((c) => [c.model, c.oldCostNanos, c.newCostNanos])).toEqual([["late-priced", 0n, 6_000_000_000n]]);
      expect([dry.oldTotalNanos, dry.newTotalNanos]).toEqual([0n, 6_000_000_000n]);
      expect([...dry.unpriced]).toEqual([["still-unknown", 1]]);
      expect((await acct.getPeriodStats(day(1), day(10))).sumCost).toBe(9);
      if (!storeCan(store, "costUpdates")) {
        // Without the capability only the dry run works: applying refuses before changing anything.
        await expect(acct.reprice(day(1), day(10), { apply: true })).rejects.toThrow(/cannot change stored costs/);
        expect((await acct.getPeriodStats(day(1), day(10))).sumCost).toBe(9);
        return;
      }
      const applied = await acct.reprice(day(1), day(10), { apply: true });
      expect(applied.changes.length).toBe(1);
      expect((await acct.getPeriodStats(day(1), day(10))).sumCost).toBe(15);
      // Outside the period nothing changed; repricing again finds nothing to change.
      expect((await acct.tail(10)).find((r) => r.timestamp.getTime() === day(20).getTime())?.costSource).toBe("unpriced");
      expect((await acct.reprice(day(1), day(10), { apply: true })).changes).toEqual([]);
      const withCaller = await acct.reprice(day(1), day(10), { includeCallerCosts: true });
      expect(withCaller.changes.map((c) => [c.oldCostNanos, c.newCostNanos])).toEqual([[9_000_000_000n, 3_000_000_000n]]);
    });

    it("keeps a cost the provider reported (costSource provider) over our price; reprice leaves it unless asked", async () => {
      await acct.setModelPrice({ model: "routed", inputPerMTok: 1, outputPerMTok: 1 });
      const reported = await acct.trackUsage({ model: "routed", promptTokens: 1_000_000, cost: 0.42, costSource: "provider", timestamp: day(2) });
      expect([reported.costNanos, reported.costSource]).toEqual([420_000_000n, "provider"]);
      const [stored] = await store.usageInRange({ start: day(1), end: day(10) }, 0, 10);
      expect([stored!.costNanos, stored!.costSource]).toEqual([420_000_000n, "provider"]);
      expect((await acct.reprice(day(1), day(10), { includeCallerCosts: true })).changes).toEqual([]);
      // 1,000,000 input tokens x 1 USD per MTok = 1 USD = 1,000,000,000 nanos
      const asked = await acct.reprice(day(1), day(10), { includeProviderCosts: true, apply: storeCan(store, "costUpdates") });
      expect(asked.changes.map((c) => [c.oldCostNanos, c.newCostNanos, c.costSource])).toEqual([[420_000_000n, 1_000_000_000n, "price"]]);
      await expect(acct.trackUsage({ model: "routed", costSource: "provider" })).rejects.toThrow('costSource "provider" needs a cost');
    });

    it("keeps the provider on the record, so a reprice finds the same provider-specific price", async () => {
      await acct.setModelPrice({ model: "claude-x", provider: "anthropic", inputPerMTok: 3, outputPerMTok: 15 });
      await acct.setModelPrice({ model: "claude-x", inputPerMTok: 1, outputPerMTok: 1 });
      const viaAnthropic = await acct.trackUsage({ model: "claude-x", provider: "anthropic", promptTokens: 1_000_000, completionTokens: 1_000_000, timestamp: day(3) });
      const elsewhere = await acct.trackUsage({ model: "claude-x", provider: "bedrock", promptTokens: 1_000_000, completionTokens: 1_000_000, timestamp: day(3) });
      expect([viaAnthropic.provider, viaAnthropic.costNanos]).toEqual(["anthropic", 18_000_000_000n]);
      expect([elsewhere.provider, elsewhere.costNanos]).toEqual(["bedrock", 2_000_000_000n]);
      // A dry run finds the same changes where the store cannot apply any (no costUpdates).
      const result = await acct.reprice(day(1), day(10), { apply: storeCan(store, "costUpdates") });
      expect(result.changes).toEqual([]);
      expect((await acct.tail(5)).map((r) => r.costNanos).sort()).toEqual([18_000_000_000n, 2_000_000_000n].sort());
    });

    it("refuses bad prices with the field named, and unknown ids", async () => {
      await expect(acct.setModelPrice({ model: "", inputPerMTok: 1, outputPerMTok: 1 })).rejects.toThrow(ValidationError);
      await expect(acct.setModelPrice({ model: "m", inputPerMTok: -1, outputPerMTok: 1 })).rejects.toThrow("inputPerMTok must be a non-negative number of USD per million tokens (got -1)");
      await expect(acct.deleteModelPrice(999_999)).rejects.toThrow(NotFoundError);
      expect(await store.listPrices()).toEqual([]);
    });
  });
}
