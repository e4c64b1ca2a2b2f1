import type { NewUsageRecord } from "./usage-record.js";
import type { UsageTotals } from "./usage-totals.js";

/**
 * How a usage column's values are kept: an instant, the model name (required text), another name
 * (optional text), a whole number of tokens, nano-dollars (bigint), seconds (a fraction), where
 * the cost came from (`CostSource` or null), or a yes/no flag (a boolean, false when absent:
 * SQLite and CSV keep 0 or 1, PostgreSQL a boolean).
 */
export type UsageColumnKind = "instant" | "model" | "name" | "tokens" | "nanos" | "seconds" | "costSource" | "flag";

/** One column of a usage record, as every store, codec and report spells it. */
export interface UsageColumn {
  /** The column's name in SQL tables and CSV headers. */
  readonly name: string;
  /** The record field it holds. */
  readonly field: Exclude<keyof NewUsageRecord, "tags">;
  readonly kind: UsageColumnKind;
  /** Whether reports sum it: `UsageTotals` has the field, and the rollup tables a column of its name (execution time as `execution_micros`). */
  readonly summed: boolean;
  /**
   * Whether it was in the first schema, the Python original's (which kept the cost in USD as
   * `cost`): imports read it from the original's rows, and files written before the others were
   * added have it. The others are read as absent (0 or null) from such sources.
   */
  readonly original: boolean;
}

/**
 * The columns of a usage record, in the order records list their fields (as `NewUsageRecord`
 * declares them) and stores write them (SQL parameter lists; CSV files put the original columns
 * first, then the others in this order, so a column added to a file format keeps its place).
 * A new column goes at the end; what else it needs is in docs/storage.md ("Adding a usage column").
 */
export const USAGE_RECORD_COLUMNS = [
  { name: "timestamp", field: "timestamp", kind: "instant", summed: false, original: true },
  { name: "model", field: "model", kind: "model", summed: false, original: true },
  { name: "prompt_tokens", field: "promptTokens", kind: "tokens", summed: true, original: true },
  { name: "completion_tokens", field: "completionTokens", kind: "tokens", summed: true, original: true },
  { name: "total_tokens", field: "totalTokens", kind: "tokens", summed: true, original: true },
  { name: "local_prompt_tokens", field: "localPromptTokens", kind: "tokens", summed: true, original: true },
  { name: "local_completion_tokens", field: "localCompletionTokens", kind: "tokens", summed: true, original: true },
  { name: "local_total_tokens", field: "localTotalTokens", kind: "tokens", summed: true, original: true },
  { name: "cached_tokens", field: "cachedTokens", kind: "tokens", summed: true, original: true },
  { name: "cache_write_tokens", field: "cacheWriteTokens", kind: "tokens", summed: false, original: false },
  { name: "reasoning_tokens", field: "reasoningTokens", kind: "tokens", summed: true, original: true },
  { name: "cost_nanos", field: "costNanos", kind: "nanos", summed: true, original: true },
  { name: "cost_source", field: "costSource", kind: "costSource", summed: false, original: false },
  { name: "provider", field: "provider", kind: "name", summed: false, original: false },
  { name: "execution_time", field: "executionTime", kind: "seconds", summed: true, original: true },
  { name: "caller_name", field: "callerName", kind: "name", summed: false, original: true },
  { name: "username", field: "username", kind: "name", summed: false, original: true },
  { name: "project", field: "project", kind: "name", summed: false, original: true },
  { name: "session", field: "session", kind: "name", summed: false, original: true },
  { name: "usage_estimated", field: "usageEstimated", kind: "flag", summed: false, original: false },
  { name: "cache_write_1h_tokens", field: "cacheWrite1hTokens", kind: "tokens", summed: false, original: false },
  { name: "service_tier", field: "serviceTier", kind: "name", summed: false, original: false },
] as const satisfies readonly UsageColumn[];

/** A column of the table. */
export type UsageRecordColumn = (typeof USAGE_RECORD_COLUMNS)[number];

/** The columns reports sum, in table order (`UsageTotals` has one field each, besides `requests`). */
export const SUMMED_USAGE_COLUMNS = USAGE_RECORD_COLUMNS.filter((c) => c.summed) as readonly Extract<UsageRecordColumn, { summed: true }>[];

/**
 * The record fields a usage input (`trackUsage`) takes under the same name and unit: all but the
 * cost (inputs give USD), its source, and the flags (an input says `estimated`, the record
 * `usageEstimated`, a name that stands apart among the record's many fields).
 */
export const USAGE_INPUT_FIELDS = USAGE_RECORD_COLUMNS.filter((c) => c.kind !== "nanos" && c.kind !== "costSource" && c.kind !== "flag").map((c) => c.field) as readonly Exclude<
  UsageRecordColumn["field"],
  "costNanos" | "costSource" | "usageEstimated"
>[];

// Compile-time checks that the table and the record types agree: every record field has a
// column and the summed columns are exactly the totals' fields (usage-input.ts checks that inputs
// take the input fields: the contract's home imports nothing outside it).
type Unlisted = Exclude<Exclude<keyof NewUsageRecord, "tags">, UsageRecordColumn["field"]>;
type UnsummedTotals = Exclude<Exclude<keyof UsageTotals, "requests">, Extract<UsageRecordColumn, { summed: true }>["field"]>;
type SummedNotTotals = Exclude<Extract<UsageRecordColumn, { summed: true }>["field"], keyof UsageTotals>;
type Holds<T extends true> = T;
/** Fails to compile when the table and the record types disagree. */
export type UsageColumnsMatchTheRecord = Holds<[Unlisted, UnsummedTotals, SummedNotTotals] extends [never, never, never] ? true : false>;
