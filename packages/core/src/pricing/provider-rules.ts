/**
 * Pricing rules of ours for what the price catalog and stored prices may not say, from the
 * providers' published prices, checked on the date below (sources in docs/pricing.md, "Rules of
 * ours"). Exact fractions, so costs stay exact to the nano-dollar.
 */
export const PROVIDER_RULES_CHECKED = "2026-12-06";

/** A multiple of a rate as a fraction: 2/1 doubles, 1/2 halves. */
export interface RateMultiple {
  readonly times: bigint;
  readonly per: bigint;
}

/**
 * A 1-hour cache write as a multiple of the base input rate, by provider, for prices that name
 * no 1-hour rate. Anthropic: 1-hour writes cost 2x the input price (5-minute ones 1.25x, which
 * is the cache-write rate prices already carry).
 */
const CACHE_WRITE_1H_OF_INPUT: ReadonlyMap<string, RateMultiple> = new Map([["anthropic", { times: 2n, per: 1n }]]);

/** The rule for 1-hour cache writes of calls through `provider`, if we know one. */
export function cacheWrite1hRule(provider: string | null): RateMultiple | undefined {
  return provider === null ? undefined : CACHE_WRITE_1H_OF_INPUT.get(provider);
}

/**
 * Service tiers priced as a multiple of the standard price, by provider. OpenAI: the Batch API and
 * flex processing cost half. Anthropic: the Message Batches API costs half. A tier not listed
 * (`standard`, `default`, OpenAI's `priority` and `scale`, Anthropic's `priority`) is priced as
 * standard: those providers publish no multiple for them (OpenAI's priority prices are per model,
 * Anthropic's priority tier is a contract), so a stored price is the way to give one.
 */
const TIER_OF_STANDARD: ReadonlyMap<string, ReadonlyMap<string, RateMultiple>> = new Map([
  ["openai", new Map([["batch", { times: 1n, per: 2n }], ["flex", { times: 1n, per: 2n }]])],
  ["anthropic", new Map([["batch", { times: 1n, per: 2n }]])],
]);

/** The multiple of the standard price a call at `serviceTier` through `provider` costs, if we know one. */
export function serviceTierRule(provider: string | null, serviceTier: string | null | undefined): RateMultiple | undefined {
  return provider === null || serviceTier == null ? undefined : TIER_OF_STANDARD.get(provider)?.get(serviceTier);
}
