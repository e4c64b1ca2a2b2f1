import type { LimitType, UsageFilter, UsageQuery } from "@llm-accounting/core";
import type { QuotaSqlDialect } from "./quota-sql.js";
import type { WindowPart } from "./window-parts.js";

/** Rows of a statement, as the driver returns them. */
export type SqlRows = Record<string, unknown>[];

/** Extra dialect details of the bucketed statements. */
export interface BucketSqlDialect extends QuotaSqlDialect {
  /** A placeholder typed for a VALUES list (PostgreSQL cannot infer those types). */
  typed(placeholder: string, type: "int" | "bigint" | "text" | "time"): string;
  /** A NULL of the timestamp type, for UNION branches without one. */
  readonly nullTime: string;
  /**
   * A second table holding part of each bucket's sums (SQLite's quota_buckets_hot: the buckets
   * still being written); readers add its rows to quota_buckets'. Null when there is none.
   */
  readonly hotBuckets: string | null;
}

/** A filter as the columns of `quota_filters` hold it. */
export interface FilterColumns {
  readonly model: string | null;
  readonly username: string | null;
  readonly callerName: string | null;
  /** 0: any project; 1: `project`; 2: rows without a project. */
  readonly projectMode: 0 | 1 | 2;
  readonly project: string | null;
  /** A TAG limit's tag key (the filter then lives in `quota_tag_filters`), else null. */
  readonly tagKey: string | null;
  /** Its value; null: any value of the key. */
  readonly tagValue: string | null;
}

/** The `quota_filters` columns of a usage filter. */
export function filterColumns(filter: UsageFilter): FilterColumns {
  return {
    model: filter.model ?? null,
    username: filter.username ?? null,
    callerName: filter.callerName ?? null,
    projectMode: filter.project === undefined ? 0 : filter.project === null ? 2 : 1,
    project: filter.project ?? null,
    tagKey: filter.tag?.key ?? null,
    tagValue: filter.tag?.value ?? null,
  };
}

/**
 * The unique key of a filter in `quota_filters` (one per distinct selector set), or in
 * `quota_tag_filters` for a filter with a tag (keys stored before tags existed stay the same).
 */
export function filterKey(filter: UsageFilter): string {
  let key = keys.get(filter);
  if (key === undefined) {
    const c = filterColumns(filter);
    const columns: unknown[] = [c.model, c.username, c.callerName, c.projectMode, c.project];
    keys.set(filter, (key = JSON.stringify(c.tagKey === null ? columns : [...columns, c.tagKey, c.tagValue])));
  }
  return key;
}

// Filters are immutable and a limit's filter object is shared by all its checks (see core's
// planQuota): what is derived from one is worked out once, not at every guarded write.
const keys = new WeakMap<UsageFilter, string>();
const tuples = new WeakMap<UsageFilter, Typed[]>();

/** The one part of a window whose filter has no buckets: all its raw rows. */
export const rawWindow = (query: UsageQuery): WindowPart[] => [{ kind: "rows", from: query.start.getTime(), to: query.end.getTime(), closed: true }];

// What one usage row and one bucket hold of each limit type.
export const ROW_AMOUNT: Record<LimitType, string> = { requests: "1", input_tokens: "e.prompt_tokens", output_tokens: "e.completion_tokens", total_tokens: "e.total_tokens", cost: "e.cost_nanos" };
export const BUCKET_AMOUNT: Record<LimitType, string> = { requests: "requests", input_tokens: "input_tokens", output_tokens: "output_tokens", total_tokens: "total_tokens", cost: "cost_nanos" };

/** Where the tags of the rows matched live: usage_tags for entries, quota_reservation_tags for reservations. */
export type TagTable = "entries" | "reservations";

/**
 * SQL testing whether row alias `x` matches the filter columns of alias `v` (a VALUES row,
 * quota_filters or quota_tag_filters); with `tags`, `v` has tag columns too, and a row matches
 * a tag when it carries the key (and the value, unless it is NULL).
 */
export function filterMatchSql(v: string, x: string, tags?: TagTable): string {
  const columns =
    `(${v}.model IS NULL OR ${x}.model = ${v}.model) AND (${v}.username IS NULL OR ${x}.username = ${v}.username) AND ` +
    `(${v}.caller_name IS NULL OR ${x}.caller_name = ${v}.caller_name) AND ` +
    `(${v}.project_mode = 0 OR (${v}.project_mode = 1 AND ${x}.project = ${v}.project) OR (${v}.project_mode = 2 AND ${x}.project IS NULL))`;
  if (tags === undefined) return columns;
  const [table, id] = tags === "entries" ? ["usage_tags", "entry_id"] : ["quota_reservation_tags", "reservation_id"];
  return `${columns} AND (${v}.tag_key IS NULL OR EXISTS (SELECT 1 FROM ${table} tg WHERE tg.${id} = ${x}.id AND tg.key = ${v}.tag_key AND (${v}.tag_value IS NULL OR tg.value = ${v}.tag_value)))`;
}

/** Collects parameters and hands out placeholders. */
export class Params {
  readonly values: unknown[] = [];
  constructor(private readonly dialect: BucketSqlDialect) {}
  add(value: unknown, type?: "int" | "bigint" | "text" | "time"): string {
    this.values.push(value);
    const placeholder = this.dialect.param(this.values.length);
    return type ? this.dialect.typed(placeholder, type) : placeholder;
  }
}


/** A parameter value with the type its VALUES column or array needs. */
export type Typed = readonly [unknown, "int" | "bigint" | "text" | "time"];

/** A filter's `quota_filters` columns as typed parameters (for VALUES rows or arrays). */
export function filterTuple(filter: UsageFilter): Typed[] {
  let tuple = tuples.get(filter);
  if (tuple === undefined) {
    const c = filterColumns(filter);
    tuples.set(filter, (tuple = [[c.model, "text"], [c.username, "text"], [c.callerName, "text"], [c.projectMode, "int"], [c.project, "text"], [c.tagKey, "text"], [c.tagValue, "text"]]));
  }
  return tuple;
}
