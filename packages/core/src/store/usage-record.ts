/** Free-form labels on a usage record (`{ feature: "search", tenant: "acme" }`), for breakdowns and filters. */
export type UsageTags = Readonly<Record<string, string>>;

/**
 * Where a record's cost came from: given by the caller, computed from a price, left at 0 because
 * no price was known (`reprice` can fill those in later), or reported by the provider itself (an
 * invoice-grade figure such as OpenRouter's `usage.cost`: it wins over our prices, and `reprice`
 * keeps it unless told otherwise). Null only on rows from before this was tracked (older stores,
 * imports from the Python tool): the facade always sets it.
 */
export type CostSource = "caller" | "price" | "unpriced" | "provider";

/**
 * A usage record as the store receives it: validated, defaults applied, cost in nano-dollars.
 * Token semantics: promptTokens counts every input token, cachedTokens (cache reads) and
 * cacheWriteTokens included; completionTokens counts every output token, reasoningTokens included.
 */
export interface NewUsageRecord {
  readonly timestamp: Date;
  readonly model: string;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly totalTokens: number;
  readonly localPromptTokens: number;
  readonly localCompletionTokens: number;
  readonly localTotalTokens: number;
  /** Input tokens read from the prompt cache (part of promptTokens). */
  readonly cachedTokens: number;
  /** Input tokens written to the prompt cache (part of promptTokens). */
  readonly cacheWriteTokens: number;
  /** Output tokens spent on reasoning (part of completionTokens). */
  readonly reasoningTokens: number;
  /** Cost in nano-dollars (1e-9 USD). */
  readonly costNanos: bigint;
  readonly costSource: CostSource | null;
  /** Provider that served the call (`openai`, `anthropic`, ...), when known; prices can differ by provider. */
  readonly provider: string | null;
  /** Wall time of the model call, in seconds. */
  readonly executionTime: number;
  readonly callerName: string | null;
  readonly username: string | null;
  readonly project: string | null;
  readonly session: string | null;
  /**
   * True when some token counts are estimates, not the provider's: a stream cut short (stopped,
   * aborted or failed) before its final usage, whose output was counted locally. False on rows
   * written before this was tracked.
   */
  readonly usageEstimated: boolean;
  /**
   * Cache writes kept for an hour (part of cacheWriteTokens, which counts every cache write; the
   * rest were kept 5 minutes). Priced apart: Anthropic bills a 1-hour write higher. Optional so
   * records built by hand before it keep compiling; stores read it as 0 (all 5-minute).
   */
  readonly cacheWrite1hTokens?: number;
  /**
   * The provider's service tier the call ran at (`standard`, `batch`, `flex`, `priority`, ...), a
   * lower-case word; null when unknown (taken as standard). Prices follow it (docs/pricing.md).
   * Optional so records built by hand before it keep compiling; stores read it as null.
   */
  readonly serviceTier?: string | null;
  /** Labels (keys sorted); absent when the record has none. Optional so records built by hand before tags keep compiling. */
  readonly tags?: UsageTags;
}

/** A usage record read back from the store. */
export interface UsageRecord extends NewUsageRecord {
  readonly id: number;
}
