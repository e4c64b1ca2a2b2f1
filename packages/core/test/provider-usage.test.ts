import { describe, expect, it } from "vitest";
import { normalizeUsage, tokensFromAnthropic, tokensFromOpenAIChat, tokensFromOpenAIResponses } from "../src/index.js";

// Each provider reports cached input differently; every shape must land on the same record.
describe("provider usage shapes", () => {
  it("OpenAI chat: prompt_tokens already includes the cached tokens", () => {
    const tokens = tokensFromOpenAIChat({ prompt_tokens: 1200, completion_tokens: 300, prompt_tokens_details: { cached_tokens: 1024 }, completion_tokens_details: { reasoning_tokens: 128 } });
    expect(tokens).toEqual({ promptTokens: 1200, completionTokens: 300, cachedTokens: 1024, cacheWriteTokens: 0, reasoningTokens: 128 });
  });

  it("OpenAI responses: input_tokens already includes the cached tokens", () => {
    const tokens = tokensFromOpenAIResponses({ input_tokens: 50, output_tokens: 9, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 4 } });
    expect(tokens).toEqual({ promptTokens: 50, completionTokens: 9, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 4 });
  });

  it("Anthropic: input_tokens excludes cache reads and writes, so they are added back once", () => {
    const tokens = tokensFromAnthropic({ input_tokens: 20, cache_read_input_tokens: 1000, cache_creation_input_tokens: 300, output_tokens: 40 });
    expect(tokens).toEqual({ promptTokens: 1320, completionTokens: 40, cachedTokens: 1000, cacheWriteTokens: 300, reasoningTokens: 0 });
    const record = normalizeUsage({ model: "claude", ...tokens }, {}, new Date(0));
    expect(record.promptTokens - record.cachedTokens - record.cacheWriteTokens).toBe(20);
    expect(record.totalTokens).toBe(1360);
  });

  it("Anthropic: keeps the cache writes' split by TTL, the 1-hour part inside the writes", () => {
    const tokens = tokensFromAnthropic({ input_tokens: 20, cache_creation_input_tokens: 300, cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 200 }, output_tokens: 40 });
    expect(tokens).toEqual({ promptTokens: 320, completionTokens: 40, cachedTokens: 0, cacheWriteTokens: 300, cacheWrite1hTokens: 200, reasoningTokens: 0 });
    expect(normalizeUsage({ model: "claude", ...tokens }, {}, new Date(0))).toMatchObject({ cacheWriteTokens: 300, cacheWrite1hTokens: 200 });
    // A split without the total (or a total that says less) still counts every write once.
    expect(tokensFromAnthropic({ input_tokens: 1, cache_creation: { ephemeral_5m_input_tokens: 5, ephemeral_1h_input_tokens: 7 } })).toMatchObject({ promptTokens: 13, cacheWriteTokens: 12, cacheWrite1hTokens: 7 });
    // All 5-minute: no 1-hour part.
    expect(tokensFromAnthropic({ cache_creation_input_tokens: 9, cache_creation: { ephemeral_5m_input_tokens: 9, ephemeral_1h_input_tokens: 0 } }).cacheWrite1hTokens).toBeUndefined();
  });

  it("missing fields count as zero", () => {
    expect(tokensFromOpenAIChat({})).toEqual({ promptTokens: 0, completionTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
    expect(tokensFromAnthropic({ input_tokens: null })).toMatchObject({ promptTokens: 0 });
  });

  it("refuses cache writes that exceed the input (an Anthropic count passed as promptTokens)", () => {
    expect(() => normalizeUsage({ model: "claude", promptTokens: 20, cachedTokens: 1000, cacheWriteTokens: 300 }, {}, new Date(0))).toThrow(
      "cacheWriteTokens plus cachedTokens (1300) must not exceed promptTokens (20), which includes cache reads and writes",
    );
  });
});
