import { costOfUsage, type ModelPriceInput, type PricedUsage, type Pricer, type PriceQuote } from "@llm-accounting/core";
import { CatalogPrices } from "./catalog.js";
import { OverrideTable } from "./overrides.js";
import type { PriceDescription } from "./price-description.js";

/** Options of {@link createPricer}. */
export interface PricerOptions {
  /**
   * Your own prices (USD per million tokens), checked before the catalog: for each call the
   * override for its model (and provider, when the override names one) with the latest
   * `effectiveFrom` not after the call's timestamp wins.
   */
  readonly overrides?: readonly ModelPriceInput[];
  /** Falls back to the @pydantic/genai-prices catalog when no override applies; default true. */
  readonly catalog?: boolean;
}

/** A core `Pricer`: in-code overrides first, then the genai-prices catalog, else an explicit "no price". */
export class CatalogPricer implements Pricer {
  readonly #overrides: OverrideTable;
  readonly #catalog: CatalogPrices | undefined;

  /** Validates the overrides at once (throws core's ValidationError), so a typo fails at startup. */
  constructor(options: PricerOptions = {}) {
    this.#overrides = new OverrideTable(options.overrides ?? []);
    this.#catalog = options.catalog === false ? undefined : new CatalogPrices();
  }

  /** Prices one call; `{ priced: false, reason }` when neither an override nor the catalog has a price. */
  quote(usage: PricedUsage): PriceQuote {
    const override = this.#overrides.find(usage);
    if (override) return { priced: true, costNanos: costOfUsage(override, usage), source: "override" };
    const unpriced = `no price for model '${usage.model}'${usage.provider === null ? "" : ` from provider '${usage.provider}'`}`;
    if (!this.#catalog) return { priced: false, reason: unpriced };
    try {
      return this.#catalog.quote(usage) ?? { priced: false, reason: unpriced };
    } catch (error) {
      // A call that happened is still recorded (unpriced) when the catalog chokes on its data.
      return { priced: false, reason: `${unpriced}: the price catalog failed (${error instanceof Error ? error.message : String(error)})` };
    }
  }

  /** The per-MTok rates this pricer applies to `model` (through `provider`) at `at` (default now), or undefined. */
  describePrice(model: string, provider: string | null = null, at: Date = new Date()): PriceDescription | undefined {
    return this.#overrides.describe(model, provider, at) ?? this.#catalog?.describe(model, provider, at);
  }
}

/** Creates the pricer to pass as `new Accounting({ store, pricer })`. */
export function createPricer(options: PricerOptions = {}): CatalogPricer {
  return new CatalogPricer(options);
}
