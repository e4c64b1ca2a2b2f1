/**
 * A price per million tokens, in nano-dollars (exact; 2.5 USD per MTok is 2_500_000_000n).
 * Cache prices default to the input price when a provider has no separate cache rate.
 */
export interface NewModelPrice {
  /** The model name exactly as recorded on usage rows. */
  readonly model: string;
  /** Restricts the price to calls made through this provider; null matches any. */
  readonly provider: string | null;
  /** The price applies to calls at or after this instant, until a later price for the model. */
  readonly effectiveFrom: Date;
  /** Non-cached input tokens. */
  readonly inputNanosPerMTok: bigint;
  /** Input tokens read from the prompt cache; null: the input price. */
  readonly cacheReadNanosPerMTok: bigint | null;
  /** Input tokens written to the prompt cache; null: the input price. */
  readonly cacheWriteNanosPerMTok: bigint | null;
  /**
   * Input tokens written to the cache for one hour; null: the provider's rule (Anthropic: twice the
   * input price), else the cache-write price. Optional so stores written before it keep compiling.
   */
  readonly cacheWrite1hNanosPerMTok?: bigint | null;
  /** Output tokens, reasoning included. */
  readonly outputNanosPerMTok: bigint;
  /** Why this price exists (a contract, a correction...). */
  readonly note: string | null;
  /**
   * The service tier (`batch`, `priority`...) this price is for: it prices only calls at that tier,
   * as they are (no tier rule scales it). Null or absent: every tier, scaled by our tier rules.
   */
  readonly serviceTier?: string | null;
}

/** A stored price. */
export interface ModelPrice extends NewModelPrice {
  readonly id: number;
  readonly createdAt: Date;
}

/** Where prices set by users are kept (part of the store contract). */
export interface PriceStore {
  /** Stores a price; returns it with its id. */
  insertPrice(price: NewModelPrice): Promise<ModelPrice>;
  /** Every stored price, by model, then effective date, then id. */
  listPrices(): Promise<ModelPrice[]>;
  /** Deletes a price; false when no price has that id. */
  deletePrice(id: number): Promise<boolean>;
}
