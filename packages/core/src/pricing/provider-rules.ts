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
