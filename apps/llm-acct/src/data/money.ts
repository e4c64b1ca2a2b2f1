import { convertedSums, convertNanos, dayText, type ExchangeRates, type UsageRecord } from "@llm-accounting/core";
import type { TimeZone } from "./zone.js";

/**
 * The currency the dashboard shows amounts in (`--currency`), with the dated rates it converts
 * them at (`--rates`). Without one, amounts are US dollars as stored.
 */
export interface DisplayMoney {
  /** ISO 4217 code, upper case. */
  readonly currency: string;
  readonly rates: ExchangeRates;
}

/**
 * A period's amounts per key in the display currency (1e-9 units of it): the period is cut where
 * the rate changes, days of `zone`, and each part summed by `query` and converted at its rate.
 */
export function shownSums<K>(money: DisplayMoney, zone: TimeZone, start: Date, end: Date, query: (start: Date, end: Date) => Promise<Iterable<readonly [K, bigint]>>): Promise<Map<K, bigint>> {
  return convertedSums(money.rates.segments(money.currency, start, end, zone), query);
}

/** Nano-dollars spent on the day `at` falls on (in `zone`), in the display currency. */
export function shownOnDay(money: DisplayMoney, zone: TimeZone, nanos: bigint, at: Date): bigint {
  return convertNanos(nanos, money.rates.rateOn(money.currency, dayText(at, zone)));
}

/** A record as the views show it: its cost in the display currency, at the rate of its day. */
export function shownRecord(money: DisplayMoney, zone: TimeZone, record: UsageRecord): UsageRecord {
  return { ...record, costNanos: shownOnDay(money, zone, record.costNanos, record.timestamp) };
}
