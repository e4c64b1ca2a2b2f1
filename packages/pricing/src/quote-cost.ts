import type { PriceQuote } from "@llm-accounting/core";
import { CatalogPricer } from "./create-pricer.js";
import type { PriceDescription } from "./price-description.js";

/** A call to price; token counts default to 0 and follow core's semantics (cache inside promptTokens, reasoning inside completionTokens). */
export interface CostQuery {
  readonly model: string;
  readonly provider?: string | null;
  /** When the call happened (dated prices); default now. */
  readonly timestamp?: Date;
  readonly promptTokens?: number;
  readonly completionTokens?: number;
  readonly cachedTokens?: number;
  readonly cacheWriteTokens?: number;
  readonly reasoningTokens?: number;
}

let catalogOnly: CatalogPricer | undefined;

// One shared catalog pricer keeps its memo across calls of the helpers below.
function defaultPricer(): CatalogPricer {
  catalogOnly ??= new CatalogPricer();
  return catalogOnly;
}

/** Prices a call with `pricer` (default: the catalog alone, no overrides), e.g. to estimate a cost before making it. */
export function quoteCost(query: CostQuery, pricer: CatalogPricer = defaultPricer()): PriceQuote {
  return pricer.quote({
    model: query.model,
    provider: query.provider ?? null,
    timestamp: query.timestamp ?? new Date(),
    promptTokens: query.promptTokens ?? 0,
    completionTokens: query.completionTokens ?? 0,
    cachedTokens: query.cachedTokens ?? 0,
    cacheWriteTokens: query.cacheWriteTokens ?? 0,
    reasoningTokens: query.reasoningTokens ?? 0,
  });
}

/** The catalog's per-MTok rates for `model` (through `provider`) at `at` (default now), or undefined when it has none. */
export function describePrice(model: string, provider: string | null = null, at: Date = new Date()): PriceDescription | undefined {
  return defaultPricer().describePrice(model, provider, at);
}
