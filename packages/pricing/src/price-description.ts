/** Rates in USD per million tokens; a null cache rate means cache tokens are billed at the input rate. */
export interface PerMTokRates {
  readonly inputPerMTok: number;
  readonly cacheReadPerMTok: number | null;
  readonly cacheWritePerMTok: number | null;
  /** 1-hour cache writes; null: the provider's rule (Anthropic: twice the input rate), else the cache-write rate. */
  readonly cacheWrite1hPerMTok: number | null;
  /** Reasoning tokens are output tokens and billed at this rate. */
  readonly outputPerMTok: number;
}

/** Rates that replace the base rates when a call's input (cache included) exceeds `aboveInputTokens`. */
export interface PriceTier extends PerMTokRates {
  readonly aboveInputTokens: number;
}

/** The price a pricer would apply to a model at an instant, as a `prices` listing shows it. */
export interface PriceDescription extends PerMTokRates {
  /** The priced model: the override's model, or the catalog's model id (`claude-3-5-sonnet` for `claude-3-5-sonnet-20241022`). */
  readonly model: string;
  /** The provider the price is restricted to (overrides) or comes from (catalog); null for a generic override. */
  readonly provider: string | null;
  /** `override` or `genai-prices:<provider>/<model>`. */
  readonly source: string;
  /** When this price started: an override's effectiveFrom or a dated catalog price's start; null when undated. */
  readonly effectiveFrom: Date | null;
  /** Higher-volume rates by input size, lowest threshold first; empty for flat prices. */
  readonly tiers: readonly PriceTier[];
  readonly note: string | null;
}
