import { costOfUsage, serviceTierRule, usdToNanos, type PricedUsage, type PriceQuote } from "@llm-accounting/core";
import { calcPrice, findProvider, type ModelInfo, type PriceCalculation, type PriceOptions, type Usage } from "@pydantic/genai-prices";
import { describeCatalogPrice, exactCatalogPrice, ratesForInput, type ExactCatalogPrice } from "./catalog-rates.js";
import type { PriceDescription } from "./price-description.js";

/** How a catalog model's price depends on the call's time: not at all, by UTC day, or by time of day. */
type PriceTiming = "fixed" | "dated" | "time-of-day";

/** A model name resolved in the catalog, with its exact rates memoised per UTC day. */
interface CatalogMatch {
  readonly source: string;
  /** The catalog's provider of the model: the provider rules (service tier, 1-hour cache) follow it when the call names none. */
  readonly provider: string;
  readonly timing: PriceTiming;
  /** Null marks a price only calcPrice can compute. */
  readonly byDay: Map<number, ExactCatalogPrice | null>;
}

const DAY_MS = 86_400_000;
// Bounds the memo against endless distinct model names; clearing only costs re-resolving.
const MAX_MEMO_ENTRIES = 10_000;

/**
 * Prices from @pydantic/genai-prices. Resolving a model name and reading its rates is memoised
 * (prices only change at UTC midnight via dated prices, or when the catalog data is replaced,
 * which clears the memo); the cost itself is exact nano-dollar arithmetic, or the catalog's own
 * calculation for prices with units beyond tokens or time-of-day windows.
 */
export class CatalogPrices {
  readonly #matches = new Map<string, CatalogMatch | null>();
  #dataMarker = currentDataMarker();

  /** The catalog's cost for the call, or undefined when the catalog has no price for the model (and provider). */
  quote(usage: PricedUsage): PriceQuote | undefined {
    const match = this.#resolve(usage.model, usage.provider, usage.timestamp);
    if (!match) return undefined;
    // `gpt-4o` at `batch` with no provider named is still OpenAI's batch price.
    const ruled = usage.provider === null ? { ...usage, provider: match.provider } : usage;
    const tier = serviceTierRule(ruled.provider, usage.serviceTier);
    const tiered = tier && usage.serviceTier ? { serviceTier: usage.serviceTier } : {};
    const tokens = catalogUsage(usage);
    const exact = this.#exactPriceAt(match, usage.model, usage.provider, usage.timestamp);
    if (exact) return { priced: true, costNanos: costOfUsage(ratesForInput(exact, tokens.input_tokens), ruled), source: match.source, ...tiered };
    const result = calcPrice(tokens, usage.model, priceOptions(usage.provider, usage.timestamp));
    if (!result) return undefined;
    // usdToNanos rounds the float total to the nearest nano-dollar from its shortest decimal form.
    const nanos = usdToNanos(result.total_price, "catalog price");
    return { priced: true, costNanos: tier ? (nanos * tier.times + tier.per / 2n) / tier.per : nanos, source: sourceOf(result), ...tiered };
  }

  /** The catalog's per-MTok rates for `model` at `at`, or undefined when it has none. */
  describe(model: string, provider: string | null, at: Date): PriceDescription | undefined {
    const result = calcPrice({}, model, priceOptions(provider, at));
    if (!result) return undefined;
    const { base, tiers } = describeCatalogPrice(result.model_price);
    return { model: result.model.id, provider: result.provider.id, source: sourceOf(result), effectiveFrom: startOfPrice(result), ...base, tiers, note: result.model.price_comments ?? null };
  }

  #resolve(model: string, provider: string | null, at: Date): CatalogMatch | null {
    const marker = currentDataMarker();
    if (marker !== this.#dataMarker) {
      this.#dataMarker = marker;
      this.#matches.clear();
    }
    const key = `${provider ?? ""}\u0000${model}`;
    const known = this.#matches.get(key);
    if (known !== undefined) return known;
    const result = calcPrice({}, model, priceOptions(provider, at));
    const match = result ? { source: sourceOf(result), provider: result.provider.id, timing: timingOf(result.model), byDay: new Map<number, ExactCatalogPrice | null>() } : null;
    if (this.#matches.size >= MAX_MEMO_ENTRIES) this.#matches.clear();
    this.#matches.set(key, match);
    return match;
  }

  #exactPriceAt(match: CatalogMatch, model: string, provider: string | null, at: Date): ExactCatalogPrice | null {
    if (match.timing === "time-of-day") return null;
    const day = match.timing === "fixed" ? 0 : Math.floor(at.getTime() / DAY_MS);
    const known = match.byDay.get(day);
    if (known !== undefined) return known;
    const result = calcPrice({}, model, priceOptions(provider, at));
    const exact = (result && exactCatalogPrice(result.model_price)) ?? null;
    if (match.byDay.size >= MAX_MEMO_ENTRIES) match.byDay.clear();
    match.byDay.set(day, exact);
    return exact;
  }
}

/** Our token counts under the catalog's keys: its input_tokens is the whole input, like our promptTokens. */
function catalogUsage(usage: PricedUsage): Usage & { input_tokens: number } {
  return {
    // A count of cache tokens above the input (no caller should send it) is billed as cache, like core's costOfUsage does.
    input_tokens: Math.max(usage.promptTokens, usage.cachedTokens + usage.cacheWriteTokens),
    cache_read_tokens: usage.cachedTokens,
    cache_write_tokens: usage.cacheWriteTokens,
    // Part of cache_write_tokens: the catalog prices it at its 1-hour rate and the rest at the 5-minute one.
    cache_write_1h_tokens: Math.min(usage.cacheWrite1hTokens ?? 0, usage.cacheWriteTokens),
    output_tokens: usage.completionTokens,
  };
}

function priceOptions(provider: string | null, at: Date): PriceOptions {
  return provider === null ? { timestamp: at } : { providerId: provider, timestamp: at };
}

function sourceOf(result: PriceCalculation): string {
  return `genai-prices:${result.provider.id}/${result.model.id}`;
}

function timingOf(model: ModelInfo): PriceTiming {
  if (!Array.isArray(model.prices)) return "fixed";
  return model.prices.some((entry) => entry.constraint?.type === "time_of_date") ? "time-of-day" : "dated";
}

function startOfPrice(result: PriceCalculation): Date | null {
  if (!Array.isArray(result.model.prices)) return null;
  const constraint = result.model.prices.find((entry) => entry.prices === result.model_price)?.constraint;
  return constraint?.type === "start_date" ? new Date(`${constraint.start_date}T00:00:00Z`) : null;
}

// calcPrice reads a module-level provider list that updatePrices() may replace; the identity of
// one provider object changes with it, which tells the memo its entries are stale.
function currentDataMarker(): object | undefined {
  return findProvider({ providerId: "openai" });
}
