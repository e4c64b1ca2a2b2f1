import { ValidationError } from "../errors.js";
import { dayIn, dayStartIn } from "../time/time-zone.js";
import { decimalText, scaledDecimal } from "./decimal-text.js";

/** Decimals a rate may have: rates are kept as integers of 1e-12, so every conversion is exact integer math. */
export const RATE_DECIMALS = 12;
const RATE_UNIT = 10n ** BigInt(RATE_DECIMALS);

/** One dated rate: `rate` units of `currency` buy 1 USD from `day` on (until the currency's next dated rate). */
export interface ExchangeRate {
  /** The first day the rate applies to, `YYYY-MM-DD`. */
  readonly day: string;
  /** ISO 4217 code, upper case (`EUR`). */
  readonly currency: string;
  /** Units of the currency per US dollar, in 1e-12 units (`0.9235` → `923500000000n`). */
  readonly scaled: bigint;
}

/** A stretch of a range over which one rate applies: `start` to `end`, both included. */
export interface RateSegment {
  readonly start: Date;
  readonly end: Date;
  readonly rate: ExchangeRate;
}

/** The rate text (`0.9235`) as 1e-12 units; throws naming `field` unless it is a positive decimal with at most 12 decimals. */
export function parseRate(text: string, field: string): bigint {
  const scaled = scaledDecimal(text, RATE_DECIMALS);
  if (scaled === undefined || scaled <= 0n || scaledDecimal(text, RATE_DECIMALS + 6) !== scaled * 10n ** 6n) {
    throw new ValidationError(field, `must be a positive decimal number with at most ${RATE_DECIMALS} decimals (units of the currency per 1 USD; got "${text}")`);
  }
  return scaled;
}

/** A rate as decimal text, as it was written (`0.9235`). */
export const rateText = (rate: ExchangeRate): string => decimalText(rate.scaled, RATE_DECIMALS);

/** Whether `code` is a currency code as rates files and `--currency` write it: three letters. */
export const isCurrencyCode = (code: string): boolean => /^[A-Za-z]{3}$/.test(code);

/** `YYYY-MM-DD` of the day `instant` falls on in `zone`. */
export function dayText(instant: Date, zone = "UTC"): string {
  const { year, month, day } = dayIn(instant, zone);
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/**
 * Dated exchange rates from US dollars, per currency. The rate of a day is the newest one dated
 * on or before it; a day before a currency's first rate has none, and asking for it is an error
 * naming the currency and the day (a conversion never guesses).
 */
export class ExchangeRates {
  private readonly byCurrency = new Map<string, ExchangeRate[]>();

  /** Rates in any order; two different rates for one currency and day are refused. */
  constructor(rates: readonly ExchangeRate[], readonly source = "rates") {
    for (const rate of rates) {
      const list = this.byCurrency.get(rate.currency) ?? [];
      list.push(rate);
      this.byCurrency.set(rate.currency, list);
    }
    for (const [currency, list] of this.byCurrency) {
      list.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
      for (let i = 1; i < list.length; i++) {
        if (list[i]!.day === list[i - 1]!.day && list[i]!.scaled !== list[i - 1]!.scaled) {
          throw new ValidationError(source, `has two different ${currency} rates for ${list[i]!.day}`);
        }
      }
    }
  }

  /** The currencies that have at least one rate, sorted. */
  currencies(): string[] {
    return [...this.byCurrency.keys()].sort();
  }

  /** The rate of `currency` on `day` (`YYYY-MM-DD`): the newest dated on or before it. */
  rateOn(currency: string, day: string): ExchangeRate {
    const list = this.byCurrency.get(currency);
    if (!list) throw new ValidationError(this.source, `has no ${currency} rate (it has ${this.currencies().join(", ") || "none"})`);
    let low = 0;
    let high = list.length - 1;
    let found: ExchangeRate | undefined;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (list[mid]!.day <= day) {
        found = list[mid];
        low = mid + 1;
      } else high = mid - 1;
    }
    if (!found) throw new ValidationError(this.source, `has no ${currency} rate on or before ${day} (its first is ${list[0]!.day})`);
    return found;
  }

  /**
   * `start` to `end` (both included) cut where the rate of `currency` changes, days counted in
   * `zone`: each piece can be summed with one query and converted at one rate.
   */
  segments(currency: string, start: Date, end: Date, zone = "UTC"): RateSegment[] {
    const first = this.rateOn(currency, dayText(start, zone));
    const lastDay = dayText(end, zone);
    const segments: { start: Date; rate: ExchangeRate }[] = [{ start, rate: first }];
    for (const rate of this.byCurrency.get(currency)!) {
      if (rate.day <= first.day || rate.day > lastDay) continue;
      // Equal consecutive rates need no cut: one query fewer, the same exact result.
      if (rate.scaled === segments.at(-1)!.rate.scaled) continue;
      const [year, month, day] = rate.day.split("-").map(Number) as [number, number, number];
      const from = dayStartIn({ year, month, day }, zone);
      if (from.getTime() > start.getTime()) segments.push({ start: from, rate });
    }
    return segments.map((s, i) => ({ start: s.start, end: i + 1 < segments.length ? new Date(segments[i + 1]!.start.getTime() - 1) : end, rate: s.rate }));
  }
}

/** Units of the rate's currency (1e-9 of it) for `nanos` US nano-dollars, before rounding: divide by `RATE_SCALE`. */
export const convertedProduct = (nanos: bigint, rate: ExchangeRate): bigint => nanos * rate.scaled;

/** What `convertedProduct` values are divided by to give 1e-9 units of the currency. */
export const RATE_SCALE = RATE_UNIT;
