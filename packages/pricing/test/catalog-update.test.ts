import type { PricedUsage } from "@llm-accounting/core";
import { updatePrices, type Provider } from "@pydantic/genai-prices";
import { expect, it } from "vitest";
import { createPricer } from "../src/index.js";

// Replacing the catalog is global to the genai-prices module, hence this file of its own.
it("notices when the catalog data is replaced (updatePrices) instead of serving memoised prices", () => {
  const pricer = createPricer();
  const usage: PricedUsage = { model: "gpt-4o", provider: null, timestamp: new Date("2025-09-01T00:00:00Z"), promptTokens: 1_000_000, cachedTokens: 0, cacheWriteTokens: 0, completionTokens: 0, reasoningTokens: 0 };
  const before = pricer.quote(usage);
  expect(before).toMatchObject({ priced: true, source: "genai-prices:openai/gpt-4o" });
  expect(pricer.quote({ ...usage, model: "brand-new-model" })).toMatchObject({ priced: false });

  const openai: Provider = {
    id: "openai",
    name: "OpenAI",
    api_pattern: "https://api\\.openai\\.com",
    model_match: { or: [{ starts_with: "gpt-" }, { starts_with: "brand-" }] },
    models: [
      { id: "gpt-4o", match: { equals: "gpt-4o" }, prices: { input_mtok: 100, output_mtok: 200 } },
      { id: "brand-new-model", match: { equals: "brand-new-model" }, prices: { input_mtok: 7, output_mtok: 9 } },
    ],
  };
  updatePrices(({ setProviderData }) => setProviderData([openai]));

  expect(pricer.quote(usage)).toEqual({ priced: true, costNanos: 100_000_000_000n, source: "genai-prices:openai/gpt-4o" });
  expect(pricer.quote({ ...usage, model: "brand-new-model" })).toEqual({ priced: true, costNanos: 7_000_000_000n, source: "genai-prices:openai/brand-new-model" });
});
