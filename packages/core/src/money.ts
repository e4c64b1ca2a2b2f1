import { ValidationError } from "./errors.js";

/** Nano-dollars per US dollar: costs are stored as integers of this unit so sums are exact. */
export const NANOS_PER_USD = 1_000_000_000n;

const FAST_PATH_LIMIT = 1e6;

/** The largest amount a store can hold: its cost columns are signed 64-bit integers of nano-dollars. */
export const MAX_NANOS = 2n ** 63n - 1n;

/** Converts a USD amount to integer nano-dollars, rounding to the nearest nano-dollar. */
export function usdToNanos(usd: number, field = "cost"): bigint {
  if (!Number.isFinite(usd)) throw new ValidationError(field, `must be a finite number (got ${usd})`);
  // Fast path for amounts with at most 9 decimals (nearly every cost): below 1e6 USD one nano is
  // more than two steps of a double, so the integer that maps back to exactly this double is the
  // one the decimal-text path below would produce.
  if (usd < FAST_PATH_LIMIT && usd > -FAST_PATH_LIMIT) {
    const nanos = Math.round(usd * 1e9);
    if (nanos / 1e9 === usd) return BigInt(nanos);
  }
  // Going through the shortest decimal text avoids binary noise: 0.1 becomes exactly 100000000.
  const [mantissa = "0", exponentText] = Math.abs(usd).toExponential().split("e");
  const exponent = Number(exponentText) + 9;
  const [whole = "0", fraction = ""] = mantissa.split(".");
  const digits = whole + fraction;
  const shift = exponent - fraction.length;
  let nanos: bigint;
  if (shift >= 0) nanos = BigInt(digits) * 10n ** BigInt(shift);
  else {
    const divisor = 10n ** BigInt(-shift);
    const value = BigInt(digits);
    nanos = value / divisor + ((value % divisor) * 2n >= divisor ? 1n : 0n);
  }
  // Beyond this the database refuses the row (PostgreSQL) or the driver throws (SQLite): say so here.
  if (nanos > MAX_NANOS) throw new ValidationError(field, `must be at most ${formatNanos(MAX_NANOS, 9)} USD in absolute value (got ${usd})`);
  return usd < 0 ? -nanos : nanos;
}

/** Converts integer nano-dollars to the nearest USD number (prints exactly for up to 9 decimals). */
export function nanosToUsd(nanos: bigint): number {
  const sign = nanos < 0n ? "-" : "";
  const abs = nanos < 0n ? -nanos : nanos;
  return Number(`${sign}${abs / NANOS_PER_USD}.${(abs % NANOS_PER_USD).toString().padStart(9, "0")}`);
}

/** Formats nano-dollars as a decimal USD string with `decimals` places, rounding half up. */
export function formatNanos(nanos: bigint, decimals = 4): string {
  const negative = nanos < 0n;
  const abs = negative ? -nanos : nanos;
  const scale = 10n ** BigInt(9 - decimals);
  const rounded = (abs + scale / 2n) / scale;
  const unit = 10n ** BigInt(decimals);
  const whole = rounded / unit;
  const fraction = (rounded % unit).toString().padStart(decimals, "0");
  return `${negative ? "-" : ""}${whole}${decimals > 0 ? `.${fraction}` : ""}`;
}
