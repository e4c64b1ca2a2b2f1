import type { NewUsageRecord } from "../store/usage-record.js";
import { costOfUsage, priceInEffect } from "./cost-of-usage.js";
import type { ModelPrice } from "../store/price-records.js";
import type { PricedUsage, Pricer, PriceQuote } from "./pricer.js";

/** The token counts of a record, as a pricer reads them. */
export function pricedUsageOf(record: NewUsageRecord): PricedUsage {
  return {
    model: record.model,
    provider: record.provider,
    timestamp: record.timestamp,
    promptTokens: record.promptTokens,
    cachedTokens: record.cachedTokens,
    cacheWriteTokens: record.cacheWriteTokens,
    cacheWrite1hTokens: record.cacheWrite1hTokens ?? 0,
    completionTokens: record.completionTokens,
    reasoningTokens: record.reasoningTokens,
    serviceTier: record.serviceTier ?? null,
  };
}

/**
 * Prices a call: a stored price in effect wins (users' negotiated prices), then the pricer
 * (catalog and in-code overrides). Undefined when there is nothing to price with at all.
 */
export function quoteUsage(usage: PricedUsage, stored: readonly ModelPrice[], pricer: Pricer | undefined): PriceQuote | undefined {
  const price = priceInEffect(stored, usage);
  if (price) return { priced: true, costNanos: costOfUsage(price, usage), source: `stored price #${price.id}`, ...(price.serviceTier && { serviceTier: price.serviceTier }) };
  if (pricer) return pricer.quote(usage);
  if (stored.length > 0) return { priced: false, reason: `no price for model '${usage.model}'` };
  return undefined;
}

/**
 * The record with its cost filled in from the quote: cost 0 and `unpriced` when there is no
 * price, also when there is nothing to price with at all (never a silent 0).
 */
export function withQuotedCost(record: NewUsageRecord, quote: PriceQuote | undefined): NewUsageRecord {
  return quote?.priced ? { ...record, costNanos: quote.costNanos, costSource: "price" } : { ...record, costNanos: 0n, costSource: "unpriced" };
}
