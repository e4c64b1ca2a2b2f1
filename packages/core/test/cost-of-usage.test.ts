import { describe, expect, it } from "vitest";
import { cacheWrite1hRate, costOfUsage, validatePrice, type PricedUsage, type TokenRates } from "../src/index.js";

// Claude Sonnet 4's list price (USD per MTok): input 3, 5-minute write 3.75, read 0.3, output 15.
const SONNET: TokenRates = { inputNanosPerMTok: 3_000_000_000n, cacheReadNanosPerMTok: 300_000_000n, cacheWriteNanosPerMTok: 3_750_000_000n, outputNanosPerMTok: 15_000_000_000n };
const usage = (over: Partial<PricedUsage>): PricedUsage => ({ model: "claude-sonnet-4", provider: "anthropic", timestamp: new Date(0), promptTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, completionTokens: 0, reasoningTokens: 0, ...over });

describe("costOfUsage with cache writes split by how long they are kept", () => {
  it("prices 1-hour writes at the price's own 1-hour rate", () => {
    // 1,000 fresh x 3 + 2,000 reads x 0.3 + 3,000 5-minute writes x 3.75 + 1,000 1-hour writes x 7 + 500 out x 15
    // = 3,000 + 600 + 11,250 + 7,000 + 7,500 = 29,350 USD per MTok-token = 0.02935 USD = 29,350,000 nanos
    const cost = costOfUsage({ ...SONNET, cacheWrite1hNanosPerMTok: 7_000_000_000n }, usage({ promptTokens: 7_000, cachedTokens: 2_000, cacheWriteTokens: 4_000, cacheWrite1hTokens: 1_000, completionTokens: 500 }));
    expect(cost).toBe(29_350_000n);
  });

  it("without a 1-hour rate, follows Anthropic's rule: twice the input price", () => {
    // 1,000 1-hour writes x (2 x 3 = 6) + 3,000 5-minute writes x 3.75 = 6,000 + 11,250 = 17,250 -> 17,250,000 nanos
    const u = usage({ promptTokens: 4_000, cacheWriteTokens: 4_000, cacheWrite1hTokens: 1_000 });
    expect(costOfUsage(SONNET, u)).toBe(17_250_000n);
    expect(cacheWrite1hRate(SONNET, "anthropic")).toBe(6_000_000_000n);
  });

  it("elsewhere, without a 1-hour rate or a rule, prices them as any cache write", () => {
    // 4,000 writes x 3.75 = 15,000 -> 15,000,000 nanos, split or not
    expect(costOfUsage(SONNET, usage({ provider: "bedrock", promptTokens: 4_000, cacheWriteTokens: 4_000, cacheWrite1hTokens: 1_000 }))).toBe(15_000_000n);
    expect(costOfUsage(SONNET, usage({ provider: null, promptTokens: 4_000, cacheWriteTokens: 4_000 }))).toBe(15_000_000n);
    // No cache-write rate either: the input rate, 4,000 x 3 = 12,000 -> 12,000,000 nanos
    expect(costOfUsage({ ...SONNET, cacheWriteNanosPerMTok: null }, usage({ provider: "x", promptTokens: 4_000, cacheWriteTokens: 4_000, cacheWrite1hTokens: 4_000 }))).toBe(12_000_000n);
  });

  it("reads usage without the split (older pricers' callers) as all 5-minute", () => {
    // 4,000 x 3.75 = 15,000 -> 15,000,000 nanos
    const { cacheWrite1hTokens: _omitted, ...old } = usage({ promptTokens: 4_000, cacheWriteTokens: 4_000 });
    expect(costOfUsage(SONNET, old)).toBe(15_000_000n);
  });

  it("rounds half up to the nano-dollar once, over the whole call", () => {
    // 1 1-hour write at 2 x 3.000000001 = 6.000000002 USD per MTok: 6,000.000002 nanos, rounded to 6,000
    expect(costOfUsage({ ...SONNET, inputNanosPerMTok: 3_000_000_001n }, usage({ promptTokens: 1, cacheWriteTokens: 1, cacheWrite1hTokens: 1 }))).toBe(6_000n);
  });

  it("takes a stored price's 1-hour rate in USD per MTok, checked like the others", () => {
    expect(validatePrice({ model: "m", inputPerMTok: 3, outputPerMTok: 15, cacheWrite1hPerMTok: 6 }).cacheWrite1hNanosPerMTok).toBe(6_000_000_000n);
    expect(validatePrice({ model: "m", inputPerMTok: 3, outputPerMTok: 15 }).cacheWrite1hNanosPerMTok).toBeNull();
    expect(() => validatePrice({ model: "m", inputPerMTok: 3, outputPerMTok: 15, cacheWrite1hPerMTok: -1 })).toThrow("cacheWrite1hPerMTok must be a non-negative number of USD per million tokens (got -1)");
  });
});

describe("costOfUsage by service tier", () => {
  // 0.0001 USD (100,000 nanos) per MTok of input: 46 tokens cost 4.6 nanos, which shows where rounding happens.
  const RATES: TokenRates = { inputNanosPerMTok: 100_000n, cacheReadNanosPerMTok: null, cacheWriteNanosPerMTok: null, outputNanosPerMTok: 0n };
  const call = (provider: string | null, serviceTier: string | null): PricedUsage => ({ model: "m", provider, serviceTier, timestamp: new Date(0), promptTokens: 46, cachedTokens: 0, cacheWriteTokens: 0, completionTokens: 0, reasoningTokens: 0 });

  it("halves OpenAI batch and flex calls and Anthropic batch calls, rounding once", () => {
    // Standard: 46 x 100,000 / 1,000,000 = 4.6 -> 5 nanos (half up)
    expect(costOfUsage(RATES, call("openai", null))).toBe(5n);
    // Half of 4.6 = 2.3 -> 2 nanos (half of the rounded 5 would be 2.5 -> 3)
    expect(costOfUsage(RATES, call("openai", "batch"))).toBe(2n);
    expect(costOfUsage(RATES, call("openai", "flex"))).toBe(2n);
    expect(costOfUsage(RATES, call("anthropic", "batch"))).toBe(2n);
    // A realistic call: gpt-4o-like 2.5 / 10 USD per MTok, 1,000 in and 500 out = 2,500,000 + 5,000,000 = 7,500,000 nanos; batch 3,750,000
    const gpt: TokenRates = { ...RATES, inputNanosPerMTok: 2_500_000_000n, outputNanosPerMTok: 10_000_000_000n };
    expect(costOfUsage(gpt, { ...call("openai", "batch"), promptTokens: 1_000, completionTokens: 500 })).toBe(3_750_000n);
  });

  it("prices tiers without a published multiple as standard", () => {
    for (const [provider, tier] of [["openai", "priority"], ["openai", "default"], ["openai", "scale"], ["anthropic", "priority"], ["anthropic", "flex"], ["azure", "batch"], [null, "batch"]] as const) {
      expect(costOfUsage(RATES, call(provider, tier)), `${provider} ${tier}`).toBe(5n);
    }
  });
});
