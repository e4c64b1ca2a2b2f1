import type { IntervalUnit, LimitType } from "./limit-records.js";

/**
 * Which usage rows a limit counts (docs/behaviour.md): an equality test per concrete selector, nothing
 * for null or `*`. `project: null` means "rows without a project" (PROJECT scope, null project_name).
 */
export interface UsageFilter {
  readonly model?: string;
  readonly username?: string;
  readonly callerName?: string;
  readonly project?: string | null;
  /** Rows carrying this tag key, with this value (null: any value of the key). */
  readonly tag?: { readonly key: string; readonly value: string | null };
}

/**
 * A level a rolling window's usage must fall to for a request to fit under one limit: at most
 * `ceiling` of `type` (nano-dollars for cost). The window is the limit's, so the store can tell
 * when each counted row leaves it.
 */
export interface ReleaseNeed {
  readonly type: LimitType;
  readonly ceiling: bigint;
  readonly unit: IntervalUnit;
  readonly intervalValue: number;
}

/** Usage to sum: rows matching `filter` with `start <= timestamp <= end`. */
export interface UsageQuery {
  readonly filter: UsageFilter;
  readonly start: Date;
  readonly end: Date;
  /**
   * Levels the usage must fall to (rolling limits of a quota check); for each one the store
   * reports in `QuotaUsage.releasedAt` when that happens, working it out only when it is exceeded.
   */
  readonly releases?: readonly ReleaseNeed[];
  /**
   * Whether `QuotaUsage.oldest` is needed (a rolling window's reset time). Stores that keep sums
   * instead of reading every row need extra reads to find it, so when this is not set a store may
   * report `oldest: null`.
   */
  readonly needsOldest?: boolean;
}

/**
 * One bound of an admission: the usage of `type` that query `query` sums (nano-dollars for cost)
 * must be at most `ceiling`, the limit's maximum less what the request adds.
 */
export interface AdmissionBound {
  readonly query: number;
  readonly type: LimitType;
  readonly ceiling: bigint;
}

/** The sums a quota check needs for one `UsageQuery`, including open reservations. */
export interface QuotaUsage {
  readonly requests: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
  readonly costNanos: bigint;
  /** Timestamp of the oldest counted row, or null when none (used for rolling-window retry times). */
  readonly oldest: Date | null;
  /**
   * One entry per `UsageQuery.releases` item (absent when the query has none): null when usage
   * is already within the ceiling, else the first instant at which enough counted usage has
   * left the window (`releaseAt`): rows when they leave it, open reservations when they leave
   * it or expire, whichever comes first, assuming nothing new is counted meanwhile.
   */
  readonly releasedAt?: readonly (Date | null)[];
}
