import type { ModelPrice, PriceStore } from "../store/price-records.js";

/**
 * Stored prices, re-read at most every `maxAgeMs` (prices change rarely; another process's new
 * price is seen within that time) and at once after this process changes one.
 */
export class PricesCache {
  readonly #store: PriceStore;
  readonly #maxAgeMs: number;
  #loadedAt = -Infinity;
  #prices: Promise<ModelPrice[]> | undefined;

  constructor(store: PriceStore, maxAgeMs: number) {
    this.#store = store;
    this.#maxAgeMs = maxAgeMs;
  }

  /** The stored prices, from memory when fresh enough. */
  current(): Promise<ModelPrice[]> {
    const now = performance.now();
    if (!this.#prices || now - this.#loadedAt > this.#maxAgeMs) {
      this.#loadedAt = now;
      this.#prices = this.#store.listPrices().catch((error: unknown) => {
        this.#prices = undefined;
        throw error;
      });
    }
    return this.#prices;
  }

  /** Forgets the cached prices so the next call reads them again. */
  invalidate(): void {
    this.#prices = undefined;
  }
}
