// SQL of the quota buckets on SQLite that the batch writer thread also needs: this module
// imports nothing the thread does not already load (no @llm-accounting/core at run time).
import type { BucketSqlDialect } from "../shared/quota-buckets.js";
import { sqliteTime } from "./batch-encoding.js";

/** The bucketed statements' SQLite details: instants are ISO text, every placeholder untyped. */
export const SQLITE_BUCKET_DIALECT: BucketSqlDialect = {
  param: () => "?",
  integer: (expression) => expression,
  time: sqliteTime,
  readTime: (value) => (typeof value === "string" ? new Date(value) : null),
  amount: (value) => value,
  typed: (placeholder) => placeholder,
  nullTime: "NULL",
  hotBuckets: "quota_buckets_hot",
};

/** The bucket of an instant column: its epoch second floored to a multiple of `span`. */
export const bucketOf = (column: string, span: string) => `CAST(floor(unixepoch(${column}) / CAST(${span} AS REAL)) AS INTEGER) * ${span}`;

/** The set-based statement a batch writer runs after inserting rows with ids above `?`: their bucket sums, per filter (into the hot table, as the triggers do). */
export const BATCH_BUCKETS_SQL =
  "INSERT INTO quota_buckets_hot (filter_id, span, start, requests, input_tokens, output_tokens, total_tokens, cost_nanos) " +
  `SELECT f.id, s.span, ${bucketOf("e.timestamp", "s.span")}, COUNT(*), SUM(e.prompt_tokens), SUM(e.completion_tokens), SUM(e.total_tokens), SUM(e.cost_nanos) ` +
  "FROM accounting_entries e JOIN quota_filters f ON (f.model IS NULL OR f.model = e.model) AND (f.username IS NULL OR f.username = e.username) " +
  "AND (f.caller_name IS NULL OR f.caller_name = e.caller_name) AND (f.project_mode = 0 OR (f.project_mode = 1 AND f.project = e.project) OR (f.project_mode = 2 AND e.project IS NULL)) " +
  "CROSS JOIN (SELECT 60 AS span UNION ALL SELECT 3600 UNION ALL SELECT 86400) s WHERE e.id > ? GROUP BY 1, 2, 3 " +
  "ON CONFLICT (filter_id, span, start) DO UPDATE SET requests = requests + excluded.requests, input_tokens = input_tokens + excluded.input_tokens, " +
  "output_tokens = output_tokens + excluded.output_tokens, total_tokens = total_tokens + excluded.total_tokens, cost_nanos = cost_nanos + excluded.cost_nanos";
