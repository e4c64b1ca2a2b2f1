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
