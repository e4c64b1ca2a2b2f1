import { ValidationError, type PricedUsage } from "@llm-accounting/core";
import { describe, expect, it } from "vitest";
import { createPricer } from "../src/index.js";

const usage = (over: Partial<PricedUsage> = {}): PricedUsage => ({
  model: "gpt-4o",
  provider: null,
  timestamp: new Date("2025-03-01T00:00:00Z"),
  promptTokens: 1_000_000,
  cachedTokens: 200_000,
  cacheWriteTokens: 100_000,
  completionTokens: 500_000,
  reasoningTokens: 300_000,
  ...over,
});

describe("overrides", () => {
  it("beat the catalog, billing cache reads, cache writes and output (reasoning included) at their own rates", () => {
    const pricer = createPricer({ overrides: [{ model: "gpt-4o", inputPerMTok: 1, cacheReadPerMTok: 0.1, cacheWritePerMTok: 1.25, outputPerMTok: 4 }] });
    // 700k fresh × $1 + 200k × $0.10 + 100k × $1.25 + 500k × $4 = 0.7 + 0.02 + 0.125 + 2 = $2.845
    expect(pricer.quote(usage())).toEqual({ priced: true, costNanos: 2_845_000_000n, source: "override" });
    expect(createPricer().quote(usage())).toMatchObject({ priced: true, source: "genai-prices:openai/gpt-4o" });
  });

  it("bill cache tokens at the input rate when the override has no cache rates", () => {
    const pricer = createPricer({ overrides: [{ model: "gpt-4o", inputPerMTok: 2, outputPerMTok: 8 }] });
    // 1M input × $2 + 500k × $8 = $6
    expect(pricer.quote(usage())).toMatchObject({ costNanos: 6_000_000_000n });
  });

  it("keep a history: each call is priced by the override in effect at its timestamp", () => {
    const pricer = createPricer({
      overrides: [
        { model: "house-model", effectiveFrom: new Date("2025-06-01T00:00:00Z"), inputPerMTok: 1, outputPerMTok: 2, note: "June contract" },
        { model: "house-model", inputPerMTok: 3, outputPerMTok: 6 },
      ],
    });
    const call = (timestamp: string) => pricer.quote(usage({ model: "house-model", timestamp: new Date(timestamp), cachedTokens: 0, cacheWriteTokens: 0 }));
    // Before June: 1M × $3 + 500k × $6 = $6; from June: 1M × $1 + 500k × $2 = $2.
    expect(call("2025-05-31T23:59:59.999Z")).toMatchObject({ priced: true, costNanos: 6_000_000_000n });
    expect(call("2025-06-01T00:00:00.000Z")).toMatchObject({ priced: true, costNanos: 2_000_000_000n });
    expect(call("2026-01-01T00:00:00.000Z")).toMatchObject({ priced: true, costNanos: 2_000_000_000n });
  });

  it("fall through to the catalog for calls before their effectiveFrom", () => {
    const pricer = createPricer({ overrides: [{ model: "gpt-4o", effectiveFrom: new Date("2025-06-01T00:00:00Z"), inputPerMTok: 1, outputPerMTok: 1 }] });
    expect(pricer.quote(usage())).toMatchObject({ source: "genai-prices:openai/gpt-4o" });
    expect(pricer.quote(usage({ timestamp: new Date("2025-07-01T00:00:00Z") }))).toMatchObject({ source: "override", costNanos: 1_500_000_000n });
    expect(createPricer({ catalog: false, overrides: [{ model: "gpt-4o", effectiveFrom: new Date("2025-06-01T00:00:00Z"), inputPerMTok: 1, outputPerMTok: 1 }] }).quote(usage())).toEqual({
      priced: false,
      reason: "no price for model 'gpt-4o'",
    });
  });

  it("restricted to a provider apply only to calls through it, and win over a generic one", () => {
    const pricer = createPricer({
      catalog: false,
      overrides: [
        { model: "llama-3.3-70b", provider: "groq", inputPerMTok: 0.5, outputPerMTok: 1 },
        { model: "mistral-small", provider: "mistral", inputPerMTok: 1, outputPerMTok: 1 },
        { model: "mistral-small", inputPerMTok: 2, outputPerMTok: 2 },
        // The same pair listed the other way round: the provider-specific one still wins.
        { model: "mistral-large", inputPerMTok: 2, outputPerMTok: 2 },
        { model: "mistral-large", provider: "mistral", inputPerMTok: 1, outputPerMTok: 1 },
        // Same date, same scope: the later entry wins.
        { model: "mistral-large", inputPerMTok: 4, outputPerMTok: 4 },
      ],
    });
    const tokens = { cachedTokens: 0, cacheWriteTokens: 0 };
    expect(pricer.quote(usage({ ...tokens, model: "llama-3.3-70b", provider: "groq" }))).toEqual({ priced: true, costNanos: 1_000_000_000n, source: "override" });
    expect(pricer.quote(usage({ ...tokens, model: "llama-3.3-70b", provider: "together" }))).toEqual({ priced: false, reason: "no price for model 'llama-3.3-70b' from provider 'together'" });
    expect(pricer.quote(usage({ ...tokens, model: "llama-3.3-70b" }))).toEqual({ priced: false, reason: "no price for model 'llama-3.3-70b'" });
    expect(pricer.quote(usage({ ...tokens, model: "mistral-small", provider: "mistral" }))).toMatchObject({ costNanos: 1_500_000_000n });
    expect(pricer.quote(usage({ ...tokens, model: "mistral-small", provider: "azure" }))).toMatchObject({ costNanos: 3_000_000_000n });
    expect(pricer.quote(usage({ ...tokens, model: "mistral-large", provider: "mistral" }))).toMatchObject({ costNanos: 1_500_000_000n });
    expect(pricer.quote(usage({ ...tokens, model: "mistral-large" }))).toMatchObject({ costNanos: 6_000_000_000n });
  });

  it("are validated when the pricer is created", () => {
    expect(() => createPricer({ overrides: [{ model: "x", inputPerMTok: -1, outputPerMTok: 1 }] })).toThrow(ValidationError);
    expect(() => createPricer({ overrides: [{ model: "", inputPerMTok: 1, outputPerMTok: 1 }] })).toThrow(/model/);
    expect(() => createPricer({ overrides: [{ model: "x", inputPerMTok: 1, outputPerMTok: 1, effectiveFrom: new Date("nope") }] })).toThrow(/effectiveFrom/);
  });

  it("are described with their own rates and dates", () => {
    const pricer = createPricer({
      overrides: [
        { model: "gpt-4o", effectiveFrom: new Date("2025-06-01T00:00:00Z"), inputPerMTok: 1.5, cacheReadPerMTok: 0.75, outputPerMTok: 6, note: "enterprise deal" },
      ],
    });
    expect(pricer.describePrice("gpt-4o", null, new Date("2025-07-01T00:00:00Z"))).toEqual({
      model: "gpt-4o",
      provider: null,
      source: "override",
      effectiveFrom: new Date("2025-06-01T00:00:00Z"),
      inputPerMTok: 1.5,
      cacheReadPerMTok: 0.75,
      cacheWritePerMTok: null,
      cacheWrite1hPerMTok: null,
      outputPerMTok: 6,
      tiers: [],
      note: "enterprise deal",
    });
    expect(pricer.describePrice("gpt-4o", null, new Date("2025-05-01T00:00:00Z"))?.source).toBe("genai-prices:openai/gpt-4o");
  });
});
