// The quota filters of TAG limits: registered in quota_tag_filters, their buckets kept in
// quota_buckets under filter_id = -id, so every reader of buckets serves them unchanged.
import type { UsageFilter } from "@llm-accounting/core";
import { backfillSql, filterColumns, filterMatchSql, type BucketSqlDialect } from "./quota-buckets.js";
import type { QuotaSqlStatement } from "./quota-sql.js";

/** Whether a filter is a TAG limit's (registered in quota_tag_filters). */
export const isTagFilter = (filter: UsageFilter): boolean => filter.tag !== undefined;

/** The bucket filter id of a quota_tag_filters row: negative, so it never meets a quota_filters id. */
export const tagBucketId = (tagFilterId: number): number => -tagFilterId;

/** The INSERT of a tag filter row; parameters from `tagFilterParams`. */
export function insertTagFilterSql(dialect: BucketSqlDialect, onConflictDoNothing: boolean): string {
  const values = Array.from({ length: 8 }, (_, i) => dialect.param(i + 1)).join(", ");
  return `INSERT INTO quota_tag_filters (key, model, username, caller_name, project_mode, project, tag_key, tag_value) VALUES (${values})${onConflictDoNothing ? " ON CONFLICT (key) DO NOTHING" : ""} RETURNING id`;
}

/** The parameters of `insertTagFilterSql` for a filter and its key. */
export function tagFilterParams(key: string, filter: UsageFilter): unknown[] {
  const c = filterColumns(filter);
  return [key, c.model, c.username, c.callerName, c.projectMode, c.project, c.tagKey, c.tagValue];
}

/**
 * Statements that fill a new tag filter's buckets from the rows already stored (each row joined
 * to its tag of the filter's key through usage_tags' primary key): minutes from rows, then hours
 * and days rolled up as for every filter.
 */
export function tagBackfillSql(dialect: BucketSqlDialect, tagFilterId: number, bucketOf: (column: string, span: string) => string): QuotaSqlStatement[] {
  const int = dialect.integer;
  const fromRows =
    "INSERT INTO quota_buckets (filter_id, span, start, requests, input_tokens, output_tokens, total_tokens, cost_nanos) " +
    `SELECT -f.id, 60, ${bucketOf("e.timestamp", "60")}, ${int("COUNT(*)")}, ${int("SUM(e.prompt_tokens)")}, ${int("SUM(e.completion_tokens)")}, ${int("SUM(e.total_tokens)")}, ${int("SUM(e.cost_nanos)")} ` +
    "FROM quota_tag_filters f JOIN usage_tags tg ON tg.key = f.tag_key AND (f.tag_value IS NULL OR tg.value = f.tag_value) " +
    `JOIN accounting_entries e ON e.id = tg.entry_id AND ${filterMatchSql("f", "e")} WHERE f.id = ${dialect.param(1)} GROUP BY f.id, 3`;
  // The roll-ups read only the bucket rows of the id they are given: the negative one.
  const [, ...rollUps] = backfillSql(dialect, tagBucketId(tagFilterId), bucketOf);
  return [{ sql: fromRows, params: [tagFilterId] }, ...rollUps];
}
