/**
 * @llm-accounting/pricing: turns token counts into cost for llm-accounting, from your own
 * overrides first and the @pydantic/genai-prices catalog second, in exact nano-dollars.
 */
export { CatalogPricer, createPricer, type PricerOptions } from "./create-pricer.js";
export { describePrice, quoteCost, type CostQuery } from "./quote-cost.js";
export type { PerMTokRates, PriceDescription, PriceTier } from "./price-description.js";
