/**
 * Who a limit is about; mostly a label (docs/behaviour.md, "Scopes"), except GLOBAL,
 * PROJECT-without-project and TAG (calls carrying a tag, see `LimitTag`).
 */
export const LIMIT_SCOPES = ["GLOBAL", "MODEL", "USER", "CALLER", "PROJECT", "TAG"] as const;
/** A limit's scope. */
export type LimitScope = (typeof LIMIT_SCOPES)[number];

/** What a limit counts. */
export const LIMIT_TYPES = ["requests", "input_tokens", "output_tokens", "total_tokens", "cost"] as const;
/** A limit's type. */
export type LimitType = (typeof LIMIT_TYPES)[number];

/** Window units; `*_rolling` are sliding windows ending now, the others calendar/epoch-aligned (UTC). */
export const INTERVAL_UNITS = [
  "second",
  "minute",
  "hour",
  "day",
  "week",
  "monthly",
  "second_rolling",
  "minute_rolling",
  "hour_rolling",
  "day_rolling",
  "week_rolling",
  "monthly_rolling",
] as const;
/** A limit's window unit (values as stored by the Python original, e.g. `monthly`). */
export type IntervalUnit = (typeof INTERVAL_UNITS)[number];

/**
 * The tag a TAG limit is about: calls whose tags hold `key` with this `value`; value `*` means
 * any value of the key, pooled in one budget (like `*` on the other selectors).
 */
export interface LimitTag {
  readonly key: string;
  readonly value: string;
}

/** A stored usage limit. Selector fields: null = not constrained, `*` = any value (pooled). */
export interface UsageLimit {
  readonly id: number;
  readonly scope: LimitScope;
  readonly limitType: LimitType;
  /** The maximum per window: USD for `cost`, a count otherwise. -1 = unlimited, 0 = deny. */
  readonly maxValue: number;
  readonly intervalUnit: IntervalUnit;
  /** How many units one window spans (>= 1). */
  readonly intervalValue: number;
  readonly model: string | null;
  readonly username: string | null;
  readonly callerName: string | null;
  readonly projectName: string | null;
  /** TAG scope only: the tag the limit is about (absent or null on every other scope). */
  readonly tag?: LimitTag | null;
  /**
   * Alert thresholds, as fractions of `maxValue` (0.8 = 80 %), ascending; absent or empty: no
   * alerts. Crossing one raises one alert per window (see `alertWindow`).
   */
  readonly alertAt?: readonly number[];
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A limit as the store receives it, validated. */
export type NewUsageLimit = Omit<UsageLimit, "id" | "createdAt" | "updatedAt">;

/** One model call about to happen, as quota checks see it. */
export interface QuotaRequest {
  readonly model: string;
  readonly username: string | null;
  readonly callerName: string | null;
  readonly projectName: string | null;
  /** Input (prompt) tokens the call will use, if known; 0 otherwise. */
  readonly inputTokens: number;
  /** Output (completion) tokens, if known; 0 otherwise. */
  readonly completionTokens: number;
  /** Cost in nano-dollars, if known; 0n otherwise. */
  readonly costNanos: bigint;
  /** The call's tags, merged as recording merges them (facade, context, call); TAG limits match them. */
  readonly tags?: Readonly<Record<string, string>> | null;
}

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
