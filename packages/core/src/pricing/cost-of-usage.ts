import { ValidationError } from "../errors.js";
import { usdToNanos } from "../money.js";
import { checkOptionalName, checkStorableName, checkStorableText } from "../storable-text.js";
import type { ModelPrice, NewModelPrice } from "../store/price-records.js";
import type { PricedUsage } from "./pricer.js";

const PER_MILLION = 1_000_000n;

/** Rates per million tokens, nano-dollars. */
export type TokenRates = Pick<NewModelPrice, "inputNanosPerMTok" | "cacheReadNanosPerMTok" | "cacheWriteNanosPerMTok" | "outputNanosPerMTok">;

/**
 * Exact cost of a call at these rates, rounded half up to the nano-dollar: non-cached input at
 * the input rate, cache reads and writes at theirs (the input rate when absent), output at the
 * output rate (reasoning is part of it).
 */
export function costOfUsage(rates: TokenRates, usage: PricedUsage): bigint {
  const cached = BigInt(usage.cachedTokens);
  const written = BigInt(usage.cacheWriteTokens);
  const fresh = BigInt(Math.max(0, usage.promptTokens - usage.cachedTokens - usage.cacheWriteTokens));
  const total =
    fresh * rates.inputNanosPerMTok +
    cached * (rates.cacheReadNanosPerMTok ?? rates.inputNanosPerMTok) +
    written * (rates.cacheWriteNanosPerMTok ?? rates.inputNanosPerMTok) +
    BigInt(usage.completionTokens) * rates.outputNanosPerMTok;
  return (total + PER_MILLION / 2n) / PER_MILLION;
}

/** The price in effect for this call among `prices` (latest effective date not after the call), if any. */
export function priceInEffect(prices: readonly ModelPrice[], usage: PricedUsage): ModelPrice | undefined {
  let best: ModelPrice | undefined;
  for (const price of prices) {
    if (price.model !== usage.model) continue;
    if (price.provider !== null && price.provider !== usage.provider) continue;
    if (price.effectiveFrom.getTime() > usage.timestamp.getTime()) continue;
    if (!best || beats(price, best)) best = price;
  }
  return best;
}

/** Later effective dates win; on the same date a provider-specific price beats a generic one, then the newer id. */
function beats(price: ModelPrice, best: ModelPrice): boolean {
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
  readonly outputPerMTok: number;
  readonly note?: string | null;
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
    outputNanosPerMTok: required(input.outputPerMTok, "outputPerMTok"),
    note: input.note == null ? null : checkStorableText(input.note, "note"),
  };
}
