import type { Accounting, GroupUsageTotals, LimitStatus, UsageDimension } from "@llm-accounting/core";
import { resolveMetricsOptions, type MetricsOptions } from "./metrics-options.js";

/** The breakdowns a scrape can expose, and the label each one's series carry. */
export type BrokenDownBy = Extract<UsageDimension, "model" | "project" | "username" | "callerName">;

/** Usage totals since the first record, per value of one column. */
export interface UsageBreakdown {
  readonly dimension: BrokenDownBy;
  readonly groups: readonly GroupUsageTotals[];
}

/** Everything one scrape reports, read from the store. */
export interface UsageSnapshot {
  readonly breakdowns: readonly UsageBreakdown[];
  readonly limits: readonly LimitStatus[];
}

// Every stored timestamp falls inside, and both ends are whole UTC days, so the stores answer
// from their rollup tables alone (usage_hourly per model, usage_daily_dims per user, project and
// caller) and never scan entries, whatever their number. The end stops a day short of year 10000:
// the day after it must still be a 4-digit year, or SQLite's text timestamps compare wrongly.
/** The range a scrape sums: every stored timestamp, in whole UTC days (see above). */
export const SCRAPE_RANGE = Object.freeze({ start: new Date("0001-01-01T00:00:00.000Z"), end: new Date("9999-12-30T23:59:59.999Z") });

/** The breakdowns the options ask for, in the order they are exposed. */
export function breakdownsFor(options: MetricsOptions): BrokenDownBy[] {
  const resolved = resolveMetricsOptions(options);
  return ["model", "project", ...(resolved.perUser ? (["username"] as const) : []), ...(resolved.perCaller ? (["callerName"] as const) : [])];
}

/**
 * Reads what a scrape reports: totals since the beginning per model and project (and user and
 * caller when asked), from the rollups, and every limit's usage in its current window, from the
 * quota buckets (`getLimitStatus`). Sees every process and host that writes to the store.
 */
export async function readUsageSnapshot(accounting: Accounting, options: MetricsOptions = {}): Promise<UsageSnapshot> {
  const dimensions = breakdownsFor(options);
  const [limits, ...groups] = await Promise.all([
    accounting.getLimitStatus(),
    ...dimensions.map((dimension) => accounting.getUsageBreakdown(SCRAPE_RANGE.start, SCRAPE_RANGE.end, dimension)),
  ]);
  return { breakdowns: dimensions.map((dimension, i) => ({ dimension, groups: groups[i]! })), limits };
}
