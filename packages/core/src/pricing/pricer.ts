/** The token counts a price applies to, in the record's semantics (cache and reasoning included in their totals). */
export interface PricedUsage {
  readonly model: string;
  readonly provider: string | null;
  /** When the call happened: prices have effective dates. */
  readonly timestamp: Date;
  /** Every input token, cache reads and writes included. */
  readonly promptTokens: number;
  readonly cachedTokens: number;
  readonly cacheWriteTokens: number;
  /** The part of cacheWriteTokens kept for one hour (priced higher); absent: 0, all 5-minute. */
  readonly cacheWrite1hTokens?: number;
  /** Every output token, reasoning included (providers bill reasoning as output). */
  readonly completionTokens: number;
  readonly reasoningTokens: number;
  /** The service tier the call ran at (`batch`, `flex`, ...); absent or null: standard. */
  readonly serviceTier?: string | null;
}

/** A price lookup's answer: a cost, or an explicit "no price for this model" (never a silent 0). */
export type PriceQuote =
  | { readonly priced: true; readonly costNanos: bigint; readonly source: string; /** Set when the cost accounts for the call's service tier: a price of that tier's own, or the provider's rule for it. */ readonly serviceTier?: string }
  | { readonly priced: false; readonly reason: string };

/** Turns usage into cost; `@llm-accounting/pricing` provides one backed by a maintained price catalog. */
export interface Pricer {
  /** Prices one call; synchronous because it runs on every tracked call. */
  quote(usage: PricedUsage): PriceQuote;
  /**
   * Loads what `quote` needs, when present; a quota check awaits it only when a cost limit
   * applies, so a pricer can put off loading a large catalog until something needs a price.
   */
  ready?(): Promise<void>;
}
