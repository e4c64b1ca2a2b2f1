import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Accounting, nanosToUsd, QuotaExceededError, type NewUsageLimit, type UsageStore } from "@llm-accounting/core";
import { createPricer } from "@llm-accounting/pricing";
import { CsvStore } from "@llm-accounting/storage-csv";
import { freshSqlStores } from "@llm-accounting/storage-prisma/testing";

// Core's facade: reservations and checks priced like trackUsage, and the budget guarantee on every
// store. Lives here because this package already depends on every store and on the pricer.

const stores = freshSqlStores("llm-acct-priced-");
afterAll(async () => {
  await stores.remove();
});

let csvDirs = 0;
const backends: Record<string, () => Promise<UsageStore>> = {
  ...stores.open,
  csv: async () => new CsvStore({ dir: join(stores.dir, `csv-${++csvDirs}`) }),
};

const GLOBAL_COST = { scope: "GLOBAL", limitType: "cost", intervalUnit: "day", intervalValue: 1, model: null, username: null, callerName: null, projectName: null } as const;
const costLimit = (maxValue: number): NewUsageLimit => ({ ...GLOBAL_COST, maxValue });

describe("reserve, guard and checkQuota price their tokens like trackUsage", () => {
  it("prices prompt, cache and completion tokens with a stored price, then with the pricer", async () => {
    await using accounting = new Accounting({ store: await backends.sqlite!(), pricer: createPricer() });
    await accounting.setModelPrice({ model: "house", inputPerMTok: 1, cacheReadPerMTok: 0.1, outputPerMTok: 2 });
    // $1 a day: 400k input (300k cached) and 300k output cost 0.1 + 0.03 + 0.6 = $0.73.
    await accounting.setUsageLimit(costLimit(1));
    const call = { model: "house", promptTokens: 400_000, cachedTokens: 300_000, completionTokens: 300_000 };
    const quoted = await accounting.quoteCost(call);
    expect(nanosToUsd(quoted.costNanos)).toBe(0.73);
    expect((await accounting.checkQuota(call)).allowed).toBe(true);
    const held = await accounting.reserve(call);
    // The reservation holds $0.73: a second one does not fit, though no cost was given.
    const second = await accounting.checkQuota(call);
    expect(second.reason).toBe("GLOBAL limit: $1.00 cost per 1 day exceeded. Current usage: $0.73, request: $0.73.");
    await expect(accounting.reserve(call)).rejects.toBeInstanceOf(QuotaExceededError);
    await held.cancel();
    // The catalog prices gpt-4o the same way for the check and for the record.
    const gpt = { model: "gpt-4o", provider: "openai", promptTokens: 1000, completionTokens: 500 };
    const catalog = await accounting.quoteCost(gpt);
    expect(catalog.costSource).toBe("price");
    const reservation = await accounting.reserve(gpt);
    expect((await accounting.getRemainingLimits(gpt))[0]?.remaining).toBeCloseTo(1 - nanosToUsd(catalog.costNanos), 9);
    await reservation.cancel();
  });

  it("refuses a call it cannot price under a cost limit, with a clear message, unless allowUnpriced", async () => {
    await using accounting = new Accounting({ store: await backends.sqlite!() });
    const call = { model: "mystery", promptTokens: 10, completionTokens: 10 };
    // No cost limit: nothing to protect, the call passes.
    expect((await accounting.checkQuota(call)).allowed).toBe(true);
    await accounting.setUsageLimit(costLimit(5));
    const denied = await accounting.checkQuota(call);
    expect(denied.allowed).toBe(false);
    expect(denied.reason).toBe(
      "GLOBAL limit: cost per 1 day cannot be checked: no price for model 'mystery' (no stored price and no pricer), so the call's cost is unknown. Give its cost, store a price for the model, or allow unpriced calls.",
    );
    await expect(accounting.reserve(call)).rejects.toThrow(/no price for model 'mystery'/);
    await expect(accounting.guard(call, async () => "sent", () => ({}))).rejects.toBeInstanceOf(QuotaExceededError);
    expect((await accounting.checkQuota({ ...call, allowUnpriced: true })).allowed).toBe(true);
    expect((await accounting.checkQuota({ ...call, cost: 0.01 })).allowed).toBe(true);
    // No tokens cost nothing at any price.
    expect((await accounting.checkQuota({ model: "mystery" })).allowed).toBe(true);
    await expect(accounting.checkQuota({ model: "m", promptTokens: 5, inputTokens: 6 })).rejects.toThrow("inputTokens must equal promptTokens when both are given (got 6 and 5)");
  });
});

for (const [backend, openStore] of Object.entries(backends)) {
  describe(`the budget guarantee on ${backend}`, () => {
    // Each call's worst case: 1,000 input and 2,000 output tokens at $1 and $10 per MTok = $0.021.
    const call = { model: "house", promptTokens: 1000, completionTokens: 2000 };
    const open = async () => {
      const accounting = new Accounting({ store: await openStore() });
      await accounting.setModelPrice({ model: "house", inputPerMTok: 1, outputPerMTok: 10 });
      await accounting.setUsageLimit(costLimit(0.021 * 3.5));
      return accounting;
    };

    it("20 concurrent guarded calls without a cost: exactly the 3 that fit run, spend stays within the limit", async () => {
      await using accounting = await open();
      let ran = 0;
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => accounting.guard(call, async () => ++ran, () => ({ promptTokens: 1000, completionTokens: 2000 }))));
      expect(ran).toBe(3);
      expect(results.filter((r) => r.status === "rejected").every((r) => r.reason instanceof QuotaExceededError)).toBe(true);
      const spent = (await accounting.tail(-1)).reduce((sum, record) => sum + record.costNanos, 0n);
      expect(spent).toBe(63_000_000n);
    });

    it("a caller making calls one after another gets exactly the 3 that fit", async () => {
      await using accounting = await open();
      let ran = 0;
      for (let i = 0; i < 20; i++) await accounting.guard(call, async () => ++ran, () => ({ promptTokens: 1000, completionTokens: 2000 })).catch(() => undefined);
      expect(ran).toBe(3);
    });
  });
}
