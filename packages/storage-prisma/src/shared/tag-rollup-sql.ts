import { usageFilterFields, type TagBreakdownFilter, type UsageDimension } from "@llm-accounting/core";
import type { HourSplit } from "./hour-split.js";
import { DIMENSION_COLUMNS, ROLLUP_SUMMED } from "./sql-columns.js";

/** How a dialect writes what the tag queries need. */
export interface TagSqlDialect {
  /** The placeholder of the n-th (1-based) parameter, which holds `value`. */
  placeholder(n: number, value: unknown): string;
  /** Rounds execution_time (seconds) to integer microseconds. */
  micros(column: string): string;
  /** Wraps a SUM so it reads back as a 64-bit integer. */
  integer(expression: string): string;
  /** An instant as the driver binds it. */
  time(instant: Date): unknown;
}

/** A query and its parameters, in placeholder order. */
export interface BoundSql {
  readonly sql: string;
  readonly params: unknown[];
}

/** Collects parameters as the SQL text is written, so unnumbered placeholders (SQLite's `?`) bind in order. */
function binder(dialect: TagSqlDialect) {
  const params: unknown[] = [];
  return { params, bind: (value: unknown) => (params.push(value), dialect.placeholder(params.length, value)) };
}

function sums(dialect: TagSqlDialect): string {
  return ["requests", ...ROLLUP_SUMMED, "execution_micros"].map((c) => `${dialect.integer(`COALESCE(SUM(${c}), 0)`)} AS ${c}`).join(", ");
}

/**
 * Sums of one tag from `usage_tag_hourly` for the whole hours of `split`, and from the entries for
 * its ragged edges, grouped by the tag's value (`by: "value"`) or by model (`by: "model"`, with
 * `value` naming the one value wanted). Rows: `key` (the group), then the sums.
 */
export function tagRollupSql(dialect: TagSqlDialect, split: HourSplit, key: string, by: "value" | "model", value?: string): BoundSql {
  const b = binder(dialect);
  const group = by === "value" ? "value" : "model";
  // Placeholders are bound as the text is written, left to right: keep each bind in text order.
  const valueIs = (column: string) => (value === undefined ? "" : ` AND ${column} = ${b.bind(value)}`);
  const rollup =
    `SELECT ${group} AS grp, requests, ${ROLLUP_SUMMED.join(", ")}, execution_micros FROM usage_tag_hourly ` +
    `WHERE key = ${b.bind(key)}${valueIs("value")} AND hour >= ${b.bind(dialect.time(split.hoursFrom))} AND hour < ${b.bind(dialect.time(split.hoursTo))}`;
  // Entries first: the edges are a few rows found by timestamp, each looking its tag up by the
  // primary key through a scalar subquery, which neither engine turns into a join. As a join, SQLite
  // and a PostgreSQL without statistics yet (a fresh load) read every tag row of the key through
  // the (key, value, entry_id) index instead: over a second at a million rows, for a few ms of work.
  const tagOf = `(SELECT t.value FROM usage_tags t WHERE t.entry_id = e.id AND t.key = ${b.bind(key)})`;
  const edges =
    `FROM accounting_entries e WHERE ((e.timestamp >= ${b.bind(dialect.time(split.start))} AND e.timestamp < ${b.bind(dialect.time(split.hoursFrom))}) ` +
    `OR (e.timestamp >= ${b.bind(dialect.time(split.hoursTo))} AND e.timestamp <= ${b.bind(dialect.time(split.end))}))`;
  const columns = `e.model, ${ROLLUP_SUMMED.map((c) => `e.${c}`).join(", ")}, ${dialect.micros("e.execution_time")} AS execution_micros`;
  const keep = by === "value" ? "tag IS NOT NULL" : `tag = ${b.bind(value)}`;
  const raw = `SELECT ${by === "value" ? "tag" : "model"} AS grp, 1 AS requests, ${ROLLUP_SUMMED.join(", ")}, execution_micros FROM (SELECT ${tagOf} AS tag, ${columns} ${edges}) AS edge WHERE ${keep}`;
  return { sql: `SELECT grp AS key, ${sums(dialect)} FROM (${rollup} UNION ALL ${raw}) AS parts GROUP BY grp ORDER BY grp`, params: b.params };
}

/**
 * Sums straight from the entries of a range, narrowed by columns and by tags (each tag an
 * `id IN` over usage_tags' (key, value, entry_id) index), one group per value of `dimension`
 * (null: a single group). Null groups last.
 */
export function taggedEntriesSumSql(dialect: TagSqlDialect, start: Date, end: Date, dimension: UsageDimension | null, filter: TagBreakdownFilter): BoundSql {
  const b = binder(dialect);
  const where = [`e.timestamp >= ${b.bind(dialect.time(start))}`, `e.timestamp <= ${b.bind(dialect.time(end))}`];
  for (const [field, value] of usageFilterFields(filter)) where.push(value === null ? `e.${DIMENSION_COLUMNS[field]} IS NULL` : `e.${DIMENSION_COLUMNS[field]} = ${b.bind(value)}`);
  for (const [key, value] of Object.entries(filter.tags ?? {})) where.push(`e.id IN (SELECT entry_id FROM usage_tags WHERE key = ${b.bind(key)} AND value = ${b.bind(value)})`);
  const totals = [
    `${dialect.integer("COUNT(*)")} AS requests`,
    ...ROLLUP_SUMMED.map((c) => `${dialect.integer(`COALESCE(SUM(e.${c}), 0)`)} AS ${c}`),
    `${dialect.integer(`COALESCE(SUM(${dialect.micros("e.execution_time")}), 0)`)} AS execution_micros`,
  ].join(", ");
  const base = `FROM accounting_entries e WHERE ${where.join(" AND ")}`;
  if (dimension === null) return { sql: `SELECT NULL AS key, ${totals} ${base}`, params: b.params };
  const column = `e.${DIMENSION_COLUMNS[dimension]}`;
  return { sql: `SELECT ${column} AS key, ${totals} ${base} GROUP BY ${column} ORDER BY ${column} IS NULL, ${column}`, params: b.params };
}

/** Whether a tagged query can be answered from `usage_tag_hourly`: exactly one tag and no column filter. */
export function singleTagOf(filter: TagBreakdownFilter): [string, string] | null {
  const tags = Object.entries(filter.tags ?? {});
  return tags.length === 1 && usageFilterFields(filter).length === 0 ? tags[0]! : null;
}
