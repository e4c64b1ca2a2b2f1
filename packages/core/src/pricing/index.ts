export type { ModelPrice, NewModelPrice, PriceStore } from "../store/price-records.js";
export type { PricedUsage, PriceQuote, Pricer } from "./pricer.js";
export { cacheWrite1hRule, PROVIDER_RULES_CHECKED, serviceTierRule, type RateMultiple } from "./provider-rules.js";
export { cacheWrite1hRate, costOfUsage, priceInEffect, validatePrice, type ModelPriceInput, type TokenRates } from "./cost-of-usage.js";
export { pricedUsageOf, quoteUsage } from "./price-record.js";
