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
