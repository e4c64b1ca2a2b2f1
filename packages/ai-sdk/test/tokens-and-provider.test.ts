import { describe, expect, it } from "vitest";
import { providerFamily, serviceTierOfCall, tokensFromModelUsage, type ModelUsage } from "../src/index.js";

const usage = (input: Partial<ModelUsage["inputTokens"]>, output: Partial<ModelUsage["outputTokens"]>): ModelUsage => ({
  inputTokens: { total: undefined, noCache: undefined, cacheRead: undefined, cacheWrite: undefined, ...input },
  outputTokens: { total: undefined, text: undefined, reasoning: undefined, ...output },
});

describe("tokensFromModelUsage", () => {
  it("keeps the totals, which already include cache reads, cache writes and reasoning", () => {
    // Anthropic through the AI SDK: total = uncached 100 + read 800 + written 300.
    expect(tokensFromModelUsage(usage({ total: 1200, noCache: 100, cacheRead: 800, cacheWrite: 300 }, { total: 50, text: 20, reasoning: 30 }))).toEqual({
      promptTokens: 1200,
      cachedTokens: 800,
      cacheWriteTokens: 300,
      completionTokens: 50,
      reasoningTokens: 30,
    });
  });

  it("sums the parts when a provider leaves the totals out", () => {
    expect(tokensFromModelUsage(usage({ noCache: 100, cacheRead: 800, cacheWrite: 300 }, { text: 20, reasoning: 30 }))).toMatchObject({ promptTokens: 1200, completionTokens: 50 });
  });

  it("takes the 1-hour cache writes from the provider's raw usage (Anthropic's cache_creation), within the writes", () => {
    const raw = { input_tokens: 100, cache_read_input_tokens: 800, cache_creation_input_tokens: 300, cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 200 } };
    expect(tokensFromModelUsage({ ...usage({ total: 1200, noCache: 100, cacheRead: 800, cacheWrite: 300 }, { total: 50 }), raw })).toMatchObject({ cacheWriteTokens: 300, cacheWrite1hTokens: 200 });
    // More 1-hour writes than writes (a mismatched raw object) never exceed the writes.
    expect(tokensFromModelUsage({ ...usage({ total: 1200, cacheWrite: 150 }, {}), raw }).cacheWrite1hTokens).toBe(150);
    expect(tokensFromModelUsage({ ...usage({ total: 1200, cacheWrite: 300 }, {}), raw: { cache_creation: null } }).cacheWrite1hTokens).toBeUndefined();
  });

  it("counts nothing for missing or invalid numbers, and never less input than was cached", () => {
    expect(tokensFromModelUsage(usage({}, {}))).toEqual({ promptTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, completionTokens: 0, reasoningTokens: 0 });
    expect(tokensFromModelUsage(usage({ total: Number.NaN, cacheRead: -3 }, { total: 1.5 }))).toMatchObject({ promptTokens: 0, cachedTokens: 0, completionTokens: 0 });
    expect(tokensFromModelUsage(usage({ total: 100, cacheRead: 800 }, { total: 10, reasoning: 40 }))).toMatchObject({ promptTokens: 800, completionTokens: 40 });
  });
});

describe("providerFamily", () => {
  it("keeps the part of an AI SDK provider id before the first dot, lower-cased", () => {
    expect(providerFamily("openai.chat")).toBe("openai");
    expect(providerFamily("openai.responses")).toBe("openai");
    expect(providerFamily("anthropic.messages")).toBe("anthropic");
    expect(providerFamily("Mistral")).toBe("mistral");
    expect(providerFamily("")).toBeNull();
    expect(providerFamily(undefined)).toBeNull();
  });
});

describe("serviceTierOfCall", () => {
  it("reads the provider's metadata, then its raw usage, then the response body; default is standard", () => {
    expect(serviceTierOfCall({ family: "openai", providerMetadata: { openai: { serviceTier: "flex" } }, responseBody: { service_tier: "priority" } })).toBe("flex");
    expect(serviceTierOfCall({ family: "anthropic", providerMetadata: { anthropic: {} }, rawUsage: { input_tokens: 5, service_tier: "batch" } })).toBe("batch");
    expect(serviceTierOfCall({ family: "openai", responseBody: { service_tier: "default" } })).toBe("standard");
    // Another provider's metadata is not this call's.
    expect(serviceTierOfCall({ family: "anthropic", providerMetadata: { openai: { serviceTier: "flex" } } })).toBeUndefined();
  });

  it("says nothing for a tier that is absent or not a word a store keeps", () => {
    expect(serviceTierOfCall({ family: null, providerMetadata: { openai: { serviceTier: "flex" } } })).toBeUndefined();
    expect(serviceTierOfCall({ family: "openai", responseBody: { service_tier: "two words" } })).toBeUndefined();
    expect(serviceTierOfCall({ family: "openai", rawUsage: { service_tier: 3 }, responseBody: null })).toBeUndefined();
  });
});
