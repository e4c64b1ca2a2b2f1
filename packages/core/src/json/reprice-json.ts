import type { RepriceChange, RepriceResult } from "../accounting/reprice.js";
import { nanosToUsd } from "../money.js";
import { nanosJson } from "./json-form.js";

/** One reprice change as JSON: the timestamp as an ISO-8601 string, old and new cost in USD and as exact nano-dollar strings. */
export type RepriceChangeJson = Omit<RepriceChange, "timestamp" | "oldCostNanos" | "newCostNanos"> & {
  readonly timestamp: string;
  readonly oldCost: number;
  readonly oldCostNanos: string;
  readonly newCost: number;
  readonly newCostNanos: string;
};

/** A reprice result as JSON: totals in USD and as exact nano-dollar strings, `unpriced` as an object of counts by model. */
export type RepriceResultJson = Omit<RepriceResult, "changes" | "oldTotalNanos" | "newTotalNanos" | "unpriced"> & {
  readonly changes: RepriceChangeJson[];
  readonly oldTotal: number;
  readonly oldTotalNanos: string;
  readonly newTotal: number;
  readonly newTotalNanos: string;
  readonly unpriced: Record<string, number>;
};

/** The JSON form of one reprice change. */
export function repriceChangeJson(change: RepriceChange): RepriceChangeJson {
  return {
    ...change,
    timestamp: change.timestamp.toISOString(),
    oldCost: nanosToUsd(change.oldCostNanos),
    oldCostNanos: nanosJson(change.oldCostNanos),
    newCost: nanosToUsd(change.newCostNanos),
    newCostNanos: nanosJson(change.newCostNanos),
  };
}

/** The JSON form of a reprice result. */
export function repriceResultJson(result: RepriceResult): RepriceResultJson {
  return {
    ...result,
    changes: result.changes.map(repriceChangeJson),
    oldTotal: nanosToUsd(result.oldTotalNanos),
    oldTotalNanos: nanosJson(result.oldTotalNanos),
    newTotal: nanosToUsd(result.newTotalNanos),
    newTotalNanos: nanosJson(result.newTotalNanos),
    unpriced: Object.fromEntries(result.unpriced),
  };
}
