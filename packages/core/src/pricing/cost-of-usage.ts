import { ValidationError } from "../errors.js";
import { usdToNanos } from "../money.js";
import { checkOptionalName, checkStorableName, checkStorableText } from "../storable-text.js";
import type { ModelPrice, NewModelPrice } from "../store/price-records.js";
import type { PricedUsage } from "./pricer.js";
import { checkServiceTier } from "../usage/service-tier.js";
import { cacheWrite1hRule, serviceTierRule } from "./provider-rules.js";

const PER_MILLION = 1_000_000n;

/** Rates per million tokens, nano-dollars. */
export type TokenRates = Pick<NewModelPrice, "inputNanosPerMTok" | "cacheReadNanosPerMTok" | "cacheWriteNanosPerMTok" | "cacheWrite1hNanosPerMTok" | "outputNanosPerMTok" | "serviceTier">;

/**
 * Exact cost of a call at these rates, rounded half up to the nano-dollar: non-cached input at
 * the input rate, cache reads and 5-minute writes at theirs (the input rate when absent), 1-hour
 * writes at {@link cacheWrite1hRate}, output at the output rate (reasoning is part of it); the
 * whole scaled by the provider's rule for the call's service tier (batch, flex: half), if any,
 * unless the rates are that tier's own (`serviceTier` set).
 */
export function costOfUsage(rates: TokenRates, usage: PricedUsage): bigint {
  const cached = BigInt(usage.cachedTokens);
  // The 1-hour writes are a part of the writes (normalizeUsage holds them to it).
  const written1h = Math.min(usage.cacheWrite1hTokens ?? 0, usage.cacheWriteTokens);
  const written5m = BigInt(usage.cacheWriteTokens - written1h);
  const fresh = BigInt(Math.max(0, usage.promptTokens - usage.cachedTokens - usage.cacheWriteTokens));
  const total =
    fresh * rates.inputNanosPerMTok +
    cached * (rates.cacheReadNanosPerMTok ?? rates.inputNanosPerMTok) +
    written5m * (rates.cacheWriteNanosPerMTok ?? rates.inputNanosPerMTok) +
    (written1h === 0 ? 0n : BigInt(written1h) * cacheWrite1hRate(rates, usage.provider)) +
    BigInt(usage.completionTokens) * rates.outputNanosPerMTok;
  // A discounted tier (batch, flex) scales the whole call; rounded once, at the end.
  const tier = rates.serviceTier ? undefined : serviceTierRule(usage.provider, usage.serviceTier);
  if (tier) return (total * tier.times + (PER_MILLION * tier.per) / 2n) / (PER_MILLION * tier.per);
  return (total + PER_MILLION / 2n) / PER_MILLION;
}

/**
 * The rate of a 1-hour cache write: the price's own, else the provider's rule applied to the input
 * rate (Anthropic: 2x), else the cache-write rate (the input rate when that is absent too).
 */
export function cacheWrite1hRate(rates: TokenRates, provider: string | null): bigint {
  if (rates.cacheWrite1hNanosPerMTok != null) return rates.cacheWrite1hNanosPerMTok;
  const rule = cacheWrite1hRule(provider);
  if (rule) return (rates.inputNanosPerMTok * rule.times) / rule.per;
  return rates.cacheWriteNanosPerMTok ?? rates.inputNanosPerMTok;
}

/**
 * The price in effect for this call among `prices`, if any: a price for the call's service tier
 * when one is in effect (whatever the date of the tier-free ones: a tier's price is set once while
 * the model's moves), else a tier-free one; among those, the latest effective date not after the call.
 */
export function priceInEffect(prices: readonly ModelPrice[], usage: PricedUsage): ModelPrice | undefined {
  let best: ModelPrice | undefined;
  for (const price of prices) {
    if (price.model !== usage.model) continue;
    if (price.provider !== null && price.provider !== usage.provider) continue;
    const tier = price.serviceTier ?? null;
    if (tier !== null && tier !== (usage.serviceTier ?? null)) continue;
    if (price.effectiveFrom.getTime() > usage.timestamp.getTime()) continue;
    if (!best || beats(price, best)) best = price;
  }
  return best;
}

/** A tier's own price wins; then later effective dates; on the same date a provider-specific price beats a generic one, then the newer id. */
function beats(price: ModelPrice, best: ModelPrice): boolean {
  const tiered = (price.serviceTier ?? null) !== null;
  if (tiered !== ((best.serviceTier ?? null) !== null)) return tiered;
  const a = price.effectiveFrom.getTime();
  const b = best.effectiveFrom.getTime();
  if (a !== b) return a > b;
  const specific = price.provider !== null;
  if (specific !== (best.provider !== null)) return specific;
  return price.id > best.id;
}

/** A price as users give it: USD per million tokens. */
export interface ModelPriceInput {
  readonly model: string;
  readonly provider?: string | null;
  /** Defaults to the Unix epoch: the price applies to every call not covered by a later one. */
  readonly effectiveFrom?: Date | null;
  readonly inputPerMTok: number;
  readonly cacheReadPerMTok?: number | null;
  readonly cacheWritePerMTok?: number | null;
  /** 1-hour cache writes; absent: the provider's rule (Anthropic: twice the input price), else the cache-write price. */
  readonly cacheWrite1hPerMTok?: number | null;
  readonly outputPerMTok: number;
  readonly note?: string | null;
  /** Only for calls at this service tier (e.g. `priority`), priced as given; absent: every tier. */
  readonly serviceTier?: string | null;
}

/** Validates a price given in USD per million tokens and converts it to exact nano-dollars. */
export function validatePrice(input: ModelPriceInput): NewModelPrice {
  if (typeof input.model !== "string" || input.model.trim() === "") throw new ValidationError("model", "must be a non-empty string");
  checkStorableName(input.model, "model");
  const rate = (value: number | null | undefined, field: string): bigint | null => {
    if (value == null) return null;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) throw new ValidationError(field, `must be a non-negative number of USD per million tokens (got ${String(value)})`);
    return usdToNanos(value, field);
  };
  const required = (value: number, field: string): bigint => {
    if (value == null) throw new ValidationError(field, "is required (USD per million tokens)");
    return rate(value, field)!;
  };
  const effectiveFrom = input.effectiveFrom ?? new Date(0);
  if (!(effectiveFrom instanceof Date) || Number.isNaN(effectiveFrom.getTime())) throw new ValidationError("effectiveFrom", "must be a valid date");
  return {
    model: input.model,
    provider: checkOptionalName(input.provider ?? null, "provider"),
    effectiveFrom,
    inputNanosPerMTok: required(input.inputPerMTok, "inputPerMTok"),
    cacheReadNanosPerMTok: rate(input.cacheReadPerMTok, "cacheReadPerMTok"),
    cacheWriteNanosPerMTok: rate(input.cacheWritePerMTok, "cacheWritePerMTok"),
    cacheWrite1hNanosPerMTok: rate(input.cacheWrite1hPerMTok, "cacheWrite1hPerMTok"),
    outputNanosPerMTok: required(input.outputPerMTok, "outputPerMTok"),
    note: input.note == null ? null : checkStorableText(input.note, "note"),
    serviceTier: checkServiceTier(input.serviceTier, "serviceTier"),
  };
}
