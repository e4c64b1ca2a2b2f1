import { convertNanos, dayText, decimalText, formatMoney, rateText, type UsageRecord } from "@llm-accounting/core";
import { money } from "../format/numbers.js";
import type { DisplayCurrency } from "./currency-options.js";

/** A converted amount in a record's or report's JSON form: exact decimal text, with the rate used when there is one. */
export interface ConvertedCostJson {
  readonly currency: string;
  /** Exact, up to 9 decimals (`"0.0060027"`). */
  readonly cost: string;
  /** Units of the currency per USD (`"0.9235"`), for one record. */
  readonly rate?: string;
  /** The day the rate is dated (`YYYY-MM-DD`), for one record. */
  readonly rateDate?: string;
}

/** 1e-9 units of a currency as exact decimal text. */
export const unitsText = (units: bigint): string => decimalText(units, 9);

/** One record's cost converted at the rate of its day (in `zone`), as JSON and as table text. */
export function recordCost(record: Pick<UsageRecord, "costNanos" | "timestamp">, display: DisplayCurrency, zone: string): { readonly json: ConvertedCostJson; readonly text: string } {
  const rate = display.rates.rateOn(display.code, dayText(record.timestamp, zone));
  const units = convertNanos(record.costNanos, rate);
  return { json: { currency: display.code, cost: unitsText(units), rate: rateText(rate), rateDate: rate.day }, text: formatMoney(units, display.code) };
}

/** How a table shows an amount: in USD (`$1.2300`), or in `currency` given its converted units. */
export function moneyText(nanos: bigint, currency: string | undefined, converted: bigint | undefined): string {
  return currency !== undefined && converted !== undefined ? formatMoney(converted, currency) : money(nanos);
}

/** A table column header for amounts: `Cost`, or `Cost (EUR)` when converted. */
export const costHeader = (header: string, currency: string | undefined): string => (currency ? `${header} (${currency})` : header);
