import { nanosToUsd } from "../money.js";
import type { CostSource, UsageRecord } from "../store/usage-record.js";
import type { UsageTotals } from "../store/usage-totals.js";
import { nanosJson, withJsonForm, type JsonForm } from "./json-form.js";

/** A usage record as JSON: `timestamp` an ISO-8601 string, `cost` in USD, `costNanos` exact as a string. */
export type UsageRecordJson = Omit<UsageRecord, "timestamp" | "costNanos"> & {
  readonly timestamp: string;
  readonly cost: number;
  readonly costNanos: string;
};

/** The JSON form of a usage record (what `JSON.stringify` writes for records the facade returns). */
export function usageRecordJson(record: UsageRecord): UsageRecordJson {
  return { ...record, timestamp: record.timestamp.toISOString(), costNanos: nanosJson(record.costNanos), cost: nanosToUsd(record.costNanos) };
}

/** Usage totals as JSON (any totals type, e.g. a breakdown group): `cost` in USD, `costNanos` exact as a string. */
export type UsageTotalsJson<T extends UsageTotals = UsageTotals> = Omit<T, "costNanos"> & {
  readonly cost: number;
  readonly costNanos: string;
};

/** The JSON form of usage totals. */
export function usageTotalsJson<T extends UsageTotals>(totals: T): UsageTotalsJson<T> {
  return { ...totals, costNanos: nanosJson(totals.costNanos), cost: nanosToUsd(totals.costNanos) };
}

/** What `quoteCost` answers. */
export interface CostQuote {
  /** The cost in nano-dollars. */
  readonly costNanos: bigint;
  readonly costSource: CostSource | null;
}

/** A cost quote as JSON: `cost` in USD, `costNanos` exact as a string. */
export interface CostQuoteJson {
  readonly cost: number;
  readonly costNanos: string;
  readonly costSource: CostSource | null;
}

/** The JSON form of a cost quote. */
export function costQuoteJson(quote: CostQuote): CostQuoteJson {
  return { cost: nanosToUsd(quote.costNanos), costNanos: nanosJson(quote.costNanos), costSource: quote.costSource };
}

/** A usage record as the facade returns it: `JSON.stringify` writes its `UsageRecordJson` form. */
export type UsageRecordResult = UsageRecord & JsonForm<UsageRecordJson>;

/** The record with its JSON form attached. */
export function usageRecordResult(record: UsageRecord): UsageRecordResult {
  return withJsonForm(record, usageRecordJson);
}
