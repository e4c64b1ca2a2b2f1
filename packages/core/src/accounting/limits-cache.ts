import type { UsageLimit } from "../store/limit-records.js";
import type { UsageStore } from "../store/usage-store.js";

/**
 * The limits of a store, re-read only when the store's limits version changes, so a check costs
 * one tiny read yet never misses a limit another process added, changed or deleted.
 */
export class LimitsCache {
  readonly #store: UsageStore;
  #version: number | undefined;
  #limits: UsageLimit[] = [];

  constructor(store: UsageStore) {
    this.#store = store;
  }

  /** The current limits, in insertion order. */
  async current(): Promise<UsageLimit[]> {
    return (await this.versioned()).limits;
  }

  /** The limits last read and their version, without asking the store; undefined before the first read. */
  peek(): { limits: UsageLimit[]; version: number } | undefined {
    return this.#version === undefined ? undefined : { limits: this.#limits, version: this.#version };
  }

  /** The current limits with the store's limits version they were read at. */
  async versioned(): Promise<{ limits: UsageLimit[]; version: number }> {
    if (this.#version === undefined && this.#store.limitsWithVersion) {
      const first = await this.#store.limitsWithVersion();
      this.#limits = first.limits;
      this.#version = first.version;
      return first;
    }
    const version = await this.#store.limitsVersion();
    if (version !== this.#version) {
      this.#limits = await this.#store.listLimits();
      this.#version = version;
    }
    return { limits: this.#limits, version };
  }
}
