import { roundedQuotient } from "./decimal-text.js";
import { convertedProduct, RATE_SCALE, type ExchangeRate, type RateSegment } from "./exchange-rates.js";

/**
 * `nanos` US nano-dollars in the rate's currency, in 1e-9 units of it, rounded half away from
 * zero once: the stored amount stays exact USD, only what is shown is converted.
 */
export function convertNanos(nanos: bigint, rate: ExchangeRate): bigint {
  return roundedQuotient(convertedProduct(nanos, rate), RATE_SCALE);
}

/**
 * Sums converted at dated rates: for each segment (one rate each, from `ExchangeRates.segments`)
 * `query` gives amounts in nano-dollars per key; the result is each key's total in 1e-9 units of
 * the currency, every part converted at its own rate and rounded once at the end.
 */
export async function convertedSums<K>(segments: readonly RateSegment[], query: (start: Date, end: Date) => Promise<Iterable<readonly [K, bigint]>>): Promise<Map<K, bigint>> {
  const products = new Map<K, bigint>();
  const parts = await Promise.all(segments.map(async (segment) => ({ segment, amounts: await query(segment.start, segment.end) })));
  for (const { segment, amounts } of parts) {
    for (const [key, nanos] of amounts) products.set(key, (products.get(key) ?? 0n) + convertedProduct(nanos, segment.rate));
  }
  return new Map([...products].map(([key, product]) => [key, roundedQuotient(product, RATE_SCALE)]));
}

const symbols = new Map<string, string>();

/** The sign a currency is written with (`€`, `£`, `$`); a code written in letters (`CHF`) is followed by a space. */
export function currencySymbol(currency: string): string {
  let symbol = symbols.get(currency);
  if (symbol === undefined) {
    try {
      symbol = new Intl.NumberFormat("en-US", { style: "currency", currency }).formatToParts(0).find((p) => p.type === "currency")?.value ?? currency;
    } catch {
      symbol = currency;
    }
    if (/^[A-Za-z]+$/.test(symbol)) symbol += " ";
    symbols.set(currency, symbol);
  }
  return symbol;
}

/** 1e-9 units of `currency` as `€1.2300` (`decimals` places, half up), exact. */
export function formatMoney(units: bigint, currency: string, decimals = 4): string {
  const negative = units < 0n;
  const scale = 10n ** BigInt(9 - decimals);
  const rounded = roundedQuotient(negative ? -units : units, scale);
  const unit = 10n ** BigInt(decimals);
  const fraction = (rounded % unit).toString().padStart(decimals, "0");
  return `${negative && rounded !== 0n ? "-" : ""}${currencySymbol(currency)}${rounded / unit}${decimals > 0 ? `.${fraction}` : ""}`;
}
