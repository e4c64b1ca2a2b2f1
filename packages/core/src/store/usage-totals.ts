/** Sums over a set of usage records; `requests` is the number of records. */
export interface UsageTotals {
  readonly requests: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly totalTokens: number;
  readonly localPromptTokens: number;
  readonly localCompletionTokens: number;
  readonly localTotalTokens: number;
  readonly cachedTokens: number;
  readonly reasoningTokens: number;
  readonly costNanos: bigint;
  readonly executionTime: number;
}

/** Usage totals of one model. */
export interface ModelUsageTotals extends UsageTotals {
  readonly model: string;
}

/** Columns usage can be broken down by. */
export type UsageDimension = "model" | "username" | "callerName" | "project" | "session" | "serviceTier";

/** Usage totals of one value of a dimension (null: records without a value). */
export interface GroupUsageTotals extends UsageTotals {
  readonly key: string | null;
}

/**
 * Narrows reports and tail to some records: every field given must match (null matches records
 * without a value). A store that ignores a field returns wrong sums, so adapters check them all
 * (`usageFilterFields` lists the ones set; `matchesUsageRecordFilter` is the reference).
 */
export interface UsageRecordFilter {
  /** Only records of this session. */
  readonly session?: string;
  /** Only records of this model. */
  readonly model?: string;
  /** Only records of this user (null: without a user). */
  readonly username?: string | null;
  /** Only records of this project (null: without a project). */
  readonly project?: string | null;
  /** Only records of this caller (null: without a caller). */
  readonly callerName?: string | null;
  /** Only records made at this service tier (null: tier unknown). */
  readonly serviceTier?: string | null;
}

/** The record columns a `UsageRecordFilter` can narrow by. */
export const USAGE_FILTER_FIELDS = ["model", "username", "project", "callerName", "session", "serviceTier"] as const satisfies readonly UsageDimension[];

/** A record column a `UsageRecordFilter` can narrow by. */
export type UsageFilterField = (typeof USAGE_FILTER_FIELDS)[number];

/** The fields a filter sets, with their values, in `USAGE_FILTER_FIELDS` order; empty for no filter. */
export function usageFilterFields(filter: UsageRecordFilter): Array<[UsageFilterField, string | null]> {
  return USAGE_FILTER_FIELDS.filter((f) => filter[f] !== undefined).map((f) => [f, filter[f] as string | null]);
}

/** A record's value of a column usage is grouped and filtered by; null for none (also for a record from before the column existed). */
export function dimensionValue(record: { readonly [D in UsageDimension]?: string | null }, dimension: UsageDimension): string | null {
  return record[dimension] ?? null;
}

/** Whether a record passes a filter (the reference the stores' queries implement). */
export function matchesUsageRecordFilter(filter: UsageRecordFilter, record: { readonly [F in UsageFilterField]?: string | null }): boolean {
  return usageFilterFields(filter).every(([field, value]) => dimensionValue(record, field) === value);
}

/** Narrows to records carrying every one of these tags (key and value equal). */
export interface TagFilter {
  readonly tags?: Readonly<Record<string, string>>;
}

/** The filter of a breakdown by tag: record columns and tags. */
export interface TagBreakdownFilter extends UsageRecordFilter, TagFilter {}

/** Whether a record's tags hold every tag of a filter (the reference the stores' queries implement). */
export function matchesTagFilter(filter: TagFilter, tags: Readonly<Record<string, string>> | undefined): boolean {
  return Object.entries(filter.tags ?? {}).every(([key, value]) => tags?.[key] === value);
}

/** Narrows `tail`: a session, tags, and a range of record timestamps (both ends included). */
export interface TailFilter extends UsageRecordFilter, TagFilter {
  /** Only records stamped at or after this instant. */
  readonly since?: Date;
  /** Only records stamped at or before this instant. */
  readonly until?: Date;
}
