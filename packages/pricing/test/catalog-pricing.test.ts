import { tokensFromAnthropic, tokensFromOpenAIChat, usdToNanos, type NormalizedTokens, type PricedUsage } from "@llm-accounting/core";
import { calcPrice, type ModelPrice } from "@pydantic/genai-prices";
import { describe, expect, it } from "vitest";
import { createPricer, describePrice, quoteCost } from "../src/index.js";

const AT = new Date("2025-09-01T12:00:00.000Z");

/** The catalog's own rate for a key in nano-dollars per MTok (the tier for `inputTokens` when tiered). */
function rateNanos(price: ModelPrice, key: string, inputTokens = 0): bigint {
  const value = price[key];
  if (typeof value === "number") return usdToNanos(value);
  if (value === undefined) throw new Error(`no ${key}`);
  let usd = value.base;
  for (const tier of value.tiers) if (inputTokens > tier.start) usd = tier.price;
  return usdToNanos(usd);
}

function catalogPrice(model: string, at = AT, providerId?: string): ModelPrice {
  const result = calcPrice({}, model, { timestamp: at, ...(providerId ? { providerId } : {}) });
  if (!result) throw new Error(`${model} is not in the catalog`);
  return result.model_price;
}

/** tokens × nanos-per-MTok summed, then rounded half up to the nano-dollar. */
const perMillion = (...parts: [number, bigint][]): bigint => (parts.reduce((sum, [tokens, rate]) => sum + BigInt(tokens) * rate, 0n) + 500_000n) / 1_000_000n;

const usageOf = (model: string, tokens: NormalizedTokens, provider: string | null = null, timestamp = AT): PricedUsage => ({ model, provider, timestamp, ...tokens });

describe("catalog prices", () => {
  const pricer = createPricer();

  it("prices Anthropic's 1-hour cache writes at the catalog's 1-hour rate, the rest at the 5-minute one", () => {
    // claude-sonnet-4-5 in genai-prices 0.1.8 (USD per MTok): input 3, read 0.3, 5-minute write 3.75, 1-hour write 6, output 15.
    // 3,000 fresh x 3 + 2,000 reads x 0.3 + 3,000 5-minute x 3.75 + 2,000 1-hour x 6 + 1,000 out x 15
    // = 9,000 + 600 + 11,250 + 12,000 + 15,000 = 47,850 USD per MTok-token = 0.04785 USD = 47,850,000 nanos
    const tokens = { promptTokens: 10_000, cachedTokens: 2_000, cacheWriteTokens: 5_000, cacheWrite1hTokens: 2_000, completionTokens: 1_000, reasoningTokens: 0 };
    expect(pricer.quote(usageOf("claude-sonnet-4-5", tokens, "anthropic"))).toMatchObject({ priced: true, costNanos: 47_850_000n });
    // With no provider named our Anthropic rule does not apply: the 1-hour rate is the catalog's.
    expect(pricer.quote(usageOf("claude-sonnet-4-5", tokens))).toMatchObject({ priced: true, costNanos: 47_850_000n });
    // The catalog's own calculation agrees (it takes the 1-hour writes as a part of the writes, like us).
    const own = calcPrice({ input_tokens: 10_000, cache_read_tokens: 2_000, cache_write_tokens: 5_000, cache_write_1h_tokens: 2_000, output_tokens: 1_000 }, "claude-sonnet-4-5", { providerId: "anthropic", timestamp: AT })!;
    expect(usdToNanos(own.total_price)).toBe(47_850_000n);
    // Without the split every write is a 5-minute one: 5,000 x 3.75 = 18,750 instead of 11,250 + 12,000.
    expect(pricer.quote(usageOf("claude-sonnet-4-5", { ...tokens, cacheWrite1hTokens: 0 }, "anthropic"))).toMatchObject({ costNanos: 43_350_000n });
  });

  it("prices an OpenAI call with cached tokens at the cache-read rate, without counting them twice", () => {
    const price = catalogPrice("gpt-4o");
    const input = rateNanos(price, "input_mtok");
    const cacheRead = rateNanos(price, "cache_read_mtok");
    const output = rateNanos(price, "output_mtok");
    expect(cacheRead).toBeLessThan(input);

    const tokens = tokensFromOpenAIChat({ prompt_tokens: 12_000, completion_tokens: 800, prompt_tokens_details: { cached_tokens: 10_000 }, completion_tokens_details: { reasoning_tokens: 0 } });
    const quote = pricer.quote(usageOf("gpt-4o", tokens));

    const expected = perMillion([2_000, input], [10_000, cacheRead], [800, output]);
    expect(quote).toEqual({ priced: true, costNanos: expected, source: "genai-prices:openai/gpt-4o" });
    // Billing every prompt token at the input rate would cost exactly the cache discount more.
    expect(perMillion([12_000, input], [800, output]) - expected).toBe(perMillion([10_000, input - cacheRead]));
    // The catalog's own float calculation agrees.
    const catalogTotal = calcPrice({ input_tokens: 12_000, cache_read_tokens: 10_000, output_tokens: 800 }, "gpt-4o", { timestamp: AT })!.total_price;
    expect(expected).toBe(usdToNanos(catalogTotal));
  });

  it("prices an Anthropic call with cache reads and writes normalised by tokensFromAnthropic", () => {
    const price = catalogPrice("claude-sonnet-4-5");
    const [input, cacheRead, cacheWrite, output] = ["input_mtok", "cache_read_mtok", "cache_write_mtok", "output_mtok"].map((key) => rateNanos(price, key)) as [bigint, bigint, bigint, bigint];
    expect(new Set([input, cacheRead, cacheWrite, output]).size).toBe(4);

    const tokens = tokensFromAnthropic({ input_tokens: 1_500, cache_read_input_tokens: 20_000, cache_creation_input_tokens: 3_000, output_tokens: 700 });
    expect(tokens.promptTokens).toBe(24_500);
    const quote = pricer.quote(usageOf("claude-sonnet-4-5", tokens, "anthropic"));

    const expected = perMillion([1_500, input], [20_000, cacheRead], [3_000, cacheWrite], [700, output]);
    expect(quote).toEqual({ priced: true, costNanos: expected, source: "genai-prices:anthropic/claude-sonnet-4-5" });
    const catalogTotal = calcPrice({ input_tokens: 24_500, cache_read_tokens: 20_000, cache_write_tokens: 3_000, output_tokens: 700 }, "claude-sonnet-4-5", { providerId: "anthropic", timestamp: AT })!.total_price;
    expect(expected).toBe(usdToNanos(catalogTotal));
  });

  it("resolves dated model names to the catalog's model (claude-3-5-sonnet-20241022)", () => {
    const price = catalogPrice("claude-3-5-sonnet");
    const tokens = tokensFromAnthropic({ input_tokens: 100, cache_read_input_tokens: 1_000, cache_creation_input_tokens: 200, output_tokens: 50 });
    const quote = pricer.quote(usageOf("claude-3-5-sonnet-20241022", tokens));
    const expected = perMillion([100, rateNanos(price, "input_mtok")], [1_000, rateNanos(price, "cache_read_mtok")], [200, rateNanos(price, "cache_write_mtok")], [50, rateNanos(price, "output_mtok")]);
    expect(quote).toEqual({ priced: true, costNanos: expected, source: "genai-prices:anthropic/claude-3-5-sonnet" });
  });

  it.each([
    ["claude-sonnet-4-5", "anthropic"],
    ["gemini-2.5-pro", null],
  ] as const)("switches %s to the higher tier above 200k input tokens (cache included), for every token kind", (model, provider) => {
    const price = catalogPrice(model);
    const cost = (prompt: number, cached: number) => pricer.quote(usageOf(model, { promptTokens: prompt, cachedTokens: cached, cacheWriteTokens: 0, completionTokens: 1_000, reasoningTokens: 0 }, provider));
    const expectedAt = (prompt: number, cached: number) =>
      perMillion([prompt - cached, rateNanos(price, "input_mtok", prompt)], [cached, rateNanos(price, "cache_read_mtok", prompt)], [1_000, rateNanos(price, "output_mtok", prompt)]);
    expect(rateNanos(price, "input_mtok", 200_001)).toBeGreaterThan(rateNanos(price, "input_mtok", 200_000));
    expect(rateNanos(price, "output_mtok", 200_001)).toBeGreaterThan(rateNanos(price, "output_mtok", 200_000));

    // Exactly at the threshold the base rates still apply; one token more and all rates step up.
    expect(cost(200_000, 50_000)).toMatchObject({ priced: true, costNanos: expectedAt(200_000, 50_000) });
    expect(cost(200_001, 50_000)).toMatchObject({ priced: true, costNanos: expectedAt(200_001, 50_000) });
    // One more input token costs far more than one token: every rate moved up (input and cache double here).
    expect(expectedAt(200_001, 50_000)).toBeGreaterThan((3n * expectedAt(200_000, 50_000)) / 2n);
    const catalogTotal = calcPrice({ input_tokens: 250_000, cache_read_tokens: 50_000, output_tokens: 1_000 }, model, { timestamp: AT })!.total_price;
    expect(cost(250_000, 50_000)).toMatchObject({ costNanos: usdToNanos(catalogTotal) });
  });

  it("uses the catalog price in effect at the call's timestamp (o3's June 2025 price cut)", () => {
    const before = new Date("2025-06-09T23:59:59.999Z");
    const after = new Date("2025-06-10T00:00:00.000Z");
    const [oldPrice, newPrice] = [catalogPrice("o3", before), catalogPrice("o3", after)];
    expect(rateNanos(newPrice, "input_mtok")).toBeLessThan(rateNanos(oldPrice, "input_mtok"));
    const tokens = { promptTokens: 5_000, cachedTokens: 1_000, cacheWriteTokens: 0, completionTokens: 3_000, reasoningTokens: 2_500 };
    for (const [at, price] of [[before, oldPrice], [after, newPrice], [before, oldPrice]] as const) {
      const expected = perMillion([4_000, rateNanos(price, "input_mtok")], [1_000, rateNanos(price, "cache_read_mtok")], [3_000, rateNanos(price, "output_mtok")]);
      expect(pricer.quote(usageOf("o3", tokens, "openai", at))).toEqual({ priced: true, costNanos: expected, source: "genai-prices:openai/o3" });
    }
  });

  it("applies time-of-day prices by the call's UTC time (deepseek-chat peak and off-peak)", () => {
    const peak = new Date("2025-09-01T10:00:00Z");
    const offPeak = new Date("2025-09-01T20:00:00Z");
    const tokens = { promptTokens: 100_000, cachedTokens: 40_000, cacheWriteTokens: 0, completionTokens: 10_000, reasoningTokens: 0 };
    const costs = [peak, offPeak].map((at) => {
      const price = catalogPrice("deepseek-chat", at);
      const expected = perMillion([60_000, rateNanos(price, "input_mtok")], [40_000, rateNanos(price, "cache_read_mtok")], [10_000, rateNanos(price, "output_mtok")]);
      expect(pricer.quote(usageOf("deepseek-chat", tokens, null, at))).toMatchObject({ priced: true, costNanos: expected });
      return expected;
    });
    expect(costs[0]).not.toBe(costs[1]);
  });

  it("agrees with the catalog's own calculation to the nano-dollar across models and providers", () => {
    const cases: [string, string | null][] = [
      ["gpt-4o", null], ["gpt-4o", "azure"], ["gpt-4o-mini", "openai"], ["gpt-4.1", null], ["o4-mini", null], ["gpt-4o-audio-preview", null],
      ["claude-opus-4-1", "anthropic"], ["claude-3-5-haiku-latest", null], ["claude-sonnet-4-5", null],
      ["gemini-2.5-flash", "google"], ["gemini-2.5-pro", null], ["deepseek-chat", null], ["openai/gpt-4o", "openrouter"],
    ];
    const shapes = [
      { promptTokens: 1, cachedTokens: 0, cacheWriteTokens: 0, completionTokens: 1 },
      { promptTokens: 9_999, cachedTokens: 3_333, cacheWriteTokens: 1_111, completionTokens: 777 },
      { promptTokens: 250_000, cachedTokens: 100_000, cacheWriteTokens: 20_000, completionTokens: 4_000 },
    ];
    for (const [model, provider] of cases) {
      for (const shape of shapes) {
        const catalog = calcPrice({ input_tokens: shape.promptTokens, cache_read_tokens: shape.cachedTokens, cache_write_tokens: shape.cacheWriteTokens, output_tokens: shape.completionTokens }, model, { timestamp: AT, ...(provider ? { providerId: provider } : {}) });
        expect(catalog, `${model} in the catalog`).not.toBeNull();
        const quote = pricer.quote(usageOf(model, { ...shape, reasoningTokens: 0 }, provider));
        expect(quote.priced, model).toBe(true);
        if (!quote.priced) continue;
        const difference = quote.costNanos - usdToNanos(catalog!.total_price);
        expect(difference >= -1n && difference <= 1n, `${model} via ${provider}: ${quote.costNanos} vs ${catalog!.total_price}`).toBe(true);
      }
    }
  });

  it("says explicitly when there is no price, naming the model and the provider", () => {
    const tokens = { promptTokens: 10, cachedTokens: 0, cacheWriteTokens: 0, completionTokens: 5, reasoningTokens: 0 };
    expect(pricer.quote(usageOf("my-local-llama", tokens))).toEqual({ priced: false, reason: "no price for model 'my-local-llama'" });
    // The second lookup comes from the memo and must say the same.
    expect(pricer.quote(usageOf("my-local-llama", tokens))).toEqual({ priced: false, reason: "no price for model 'my-local-llama'" });
    expect(pricer.quote(usageOf("gpt-4o", tokens, "no-such-provider"))).toEqual({ priced: false, reason: "no price for model 'gpt-4o' from provider 'no-such-provider'" });
    expect(createPricer({ catalog: false }).quote(usageOf("gpt-4o", tokens))).toEqual({ priced: false, reason: "no price for model 'gpt-4o'" });
  });

  it("bills cache tokens reported above the prompt as cache instead of failing", () => {
    const price = catalogPrice("gpt-4o");
    const quote = pricer.quote(usageOf("gpt-4o", { promptTokens: 100, cachedTokens: 400, cacheWriteTokens: 0, completionTokens: 10, reasoningTokens: 0 }));
    expect(quote).toMatchObject({ priced: true, costNanos: perMillion([400, rateNanos(price, "cache_read_mtok")], [10, rateNanos(price, "output_mtok")]) });
  });
});

describe("quoteCost and describePrice", () => {
  it("quoteCost prices a partial call from the catalog with zero defaults", () => {
    const price = catalogPrice("gpt-4o");
    expect(quoteCost({ model: "gpt-4o", promptTokens: 1_000, completionTokens: 100, timestamp: AT })).toEqual({
      priced: true,
      costNanos: perMillion([1_000, rateNanos(price, "input_mtok")], [100, rateNanos(price, "output_mtok")]),
      source: "genai-prices:openai/gpt-4o",
    });
    expect(quoteCost({ model: "nope-1" })).toEqual({ priced: false, reason: "no price for model 'nope-1'" });
  });

  it("describes catalog rates per MTok with their tiers and dates", () => {
    const price = catalogPrice("claude-sonnet-4-5");
    const described = describePrice("claude-sonnet-4-5", "anthropic", AT);
    const usd = (key: string, inputTokens = 0) => Number(rateNanos(price, key, inputTokens)) / 1e9;
    expect(described).toMatchObject({
      model: "claude-sonnet-4-5",
      provider: "anthropic",
      source: "genai-prices:anthropic/claude-sonnet-4-5",
      effectiveFrom: null,
      inputPerMTok: usd("input_mtok"),
      cacheReadPerMTok: usd("cache_read_mtok"),
      cacheWritePerMTok: usd("cache_write_mtok"),
      outputPerMTok: usd("output_mtok"),
    });
    expect(described?.tiers).toEqual([
      { aboveInputTokens: 200_000, inputPerMTok: usd("input_mtok", 200_001), cacheReadPerMTok: usd("cache_read_mtok", 200_001), cacheWritePerMTok: usd("cache_write_mtok", 200_001), cacheWrite1hPerMTok: usd("cache_write_1h_mtok", 200_001), outputPerMTok: usd("output_mtok", 200_001) },
    ]);
    expect(describePrice("gpt-4o", null, AT)).toMatchObject({ cacheWritePerMTok: null, tiers: [] });
    expect(describePrice("o3", null, new Date("2025-07-01T00:00:00Z"))?.effectiveFrom).toEqual(new Date("2025-06-10T00:00:00Z"));
    expect(describePrice("o3", null, new Date("2025-05-01T00:00:00Z"))?.effectiveFrom).toBeNull();
    expect(describePrice("my-local-llama")).toBeUndefined();
  });
});
