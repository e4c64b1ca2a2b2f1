import { describe, expect, it } from "vitest";
import { MemoryStore } from "@llm-accounting/testkit/memory";
import { Accounting } from "../src/index.js";

describe("a service tier priced at the standard price is reported", () => {
  it("once per provider and tier, only for tiers without a rule, only when we priced the call", async () => {
    const told: [string, string][] = [];
    const accounting = new Accounting({ store: new MemoryStore(), onUnpriced: (model, message, kind) => (kind === "tier" ? told.push([model, message]) : undefined) });
    await accounting.setModelPrice({ model: "house-gpt", provider: "openai", inputPerMTok: 2, outputPerMTok: 8 });
    const call = { model: "house-gpt", provider: "openai", promptTokens: 1000, completionTokens: 500 };
    for (const serviceTier of ["priority", "priority", "batch", "flex", "standard", undefined]) await accounting.trackUsage({ ...call, ...(serviceTier && { serviceTier }) });
    // The billed cost, given: nothing to say.
    await accounting.trackUsage({ ...call, serviceTier: "scale", cost: 0.02, costSource: "provider" });
    expect(told).toEqual([["house-gpt", expect.stringMatching(/^calls at service tier 'priority' through openai \(first: model 'house-gpt'\) are priced at the model's standard price/)]]);
    await accounting.trackUsage({ ...call, serviceTier: "scale" });
    expect(told.map(([, message]) => message.slice(0, 32))).toEqual(["calls at service tier 'priority'", "calls at service tier 'scale' th"]);
    // Another provider's priority tier is a tier of its own.
    await accounting.setModelPrice({ model: "house-claude", provider: "anthropic", inputPerMTok: 3, outputPerMTok: 15 });
    await accounting.trackUsage({ model: "house-claude", provider: "anthropic", promptTokens: 10, completionTokens: 10, serviceTier: "priority" });
    await accounting.trackUsage({ model: "house-claude", provider: "anthropic", promptTokens: 10, completionTokens: 10, serviceTier: "batch" });
    expect(told).toHaveLength(3);
    expect(told[2]![1]).toMatch(/tier 'priority' through anthropic/);
    await accounting.close();
  });
});

describe("a stored price for one service tier", () => {
  it("prices that tier's calls as given, wins over tier-free prices of any date, and leaves other tiers alone", async () => {
    const told: string[] = [];
    const accounting = new Accounting({ store: new MemoryStore(), onUnpriced: (_model, message, kind) => (kind === "tier" ? told.push(message) : undefined) });
    const day = (d: number) => new Date(Date.UTC(2025, 5, d));
    await accounting.setModelPrice({ model: "house-gpt", provider: "openai", inputPerMTok: 2, outputPerMTok: 8, effectiveFrom: day(1) });
    await accounting.setModelPrice({ model: "house-gpt", provider: "openai", inputPerMTok: 4, outputPerMTok: 16, effectiveFrom: day(2), serviceTier: "priority" });
    // A later tier-free price (a price cut) does not take the priority calls back to it.
    await accounting.setModelPrice({ model: "house-gpt", provider: "openai", inputPerMTok: 1, outputPerMTok: 4, effectiveFrom: day(3) });
    // A batch price of its own is not halved again by the batch rule.
    await accounting.setModelPrice({ model: "house-gpt", provider: "openai", inputPerMTok: 0.5, outputPerMTok: 2, effectiveFrom: day(1), serviceTier: "batch" });
    const cost = async (serviceTier: string | undefined, d: number) =>
      (await accounting.trackUsage({ model: "house-gpt", provider: "openai", promptTokens: 1_000_000, completionTokens: 1_000_000, timestamp: day(d), ...(serviceTier && { serviceTier }) })).costNanos;
    // USD per 1M input + per 1M output, in nano-dollars.
    expect(await cost("priority", 4)).toBe(20_000_000_000n);
    expect(await cost("priority", 1)).toBe(10_000_000_000n); // before its tier price: the tier-free price then
    expect(await cost(undefined, 4)).toBe(5_000_000_000n);
    expect(await cost("batch", 4)).toBe(2_500_000_000n);
    expect(await cost("flex", 4)).toBe(2_500_000_000n); // the tier-free price, halved by the flex rule
    // Only the call priced as standard for want of a price was reported.
    expect(told).toEqual([expect.stringMatching(/^calls at service tier 'priority'/)]);
    await expect(accounting.setModelPrice({ model: "house-gpt", inputPerMTok: 1, outputPerMTok: 1, serviceTier: "Priority" })).rejects.toThrow(/serviceTier must be a lower-case word/);
    await accounting.close();
  });
});
