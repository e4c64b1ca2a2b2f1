import type { QuotaUsage, UsageQuery } from "@llm-accounting/core";
import { filterMatchSql, filterTuple, Params, rawWindow, type BucketSqlDialect, type Typed } from "./quota-filter-sql.js";
import type { QuotaSqlDialect, QuotaSqlStatement } from "./quota-sql.js";
import { BUCKET_SPANS, isEmptyPart, liveOpenEndedParts, liveWindowParts, OPEN_END_MS } from "./window-parts.js";

// The pieces of the quota statements live in three files; importers find them all here.
export { BUCKET_SPANS, isEmptyPart, liveWindowParts, openEndedParts, windowParts, type BucketsPart, type RowsPart, type WindowPart } from "./window-parts.js";
export { filterColumns, filterKey, filterMatchSql, type BucketSqlDialect, type FilterColumns, type TagTable } from "./quota-filter-sql.js";
export { bucketFollowUps, followUpsWithoutQueries, reachedAt, rowSumsSql, type RowsToSum } from "./quota-follow-ups.js";


/**
 * One PostgreSQL statement summing every query (SQLite sums from its in-process cache instead):
 * whole buckets of registered filters (`filterIds[i]`, null
 * when the filter has none: then all its rows are read), the raw rows of the ragged edges, and
 * the reservations open at `now`. Rows carry `q`, the query they belong to; reservations also
 * their oldest `created_at` as `oldest`.
 */
export function bucketSumsSql(dialect: BucketSqlDialect, queries: readonly UsageQuery[], filterIds: readonly (number | null)[], now: Date, withLimitsVersion = false): QuotaSqlStatement {
  const { ctes, select, params } = bucketSumsParts(dialect, queries, filterIds, now);
  // The limits version in the same snapshot, as the requests of query LIMITS_VERSION_ROW.
  const version = withLimitsVersion ? ` UNION ALL ${limitsVersionRowSql(dialect)}` : "";
  return { sql: `${ctes}${select}${version}`, params };
}

/** The limits version, one row of one column `value`. */
export const LIMITS_VERSION_SQL = "SELECT value FROM store_counters WHERE key = 'limits_version'";

// The row of LIMITS_VERSION_ROW: the limits version as its requests.
const limitsVersionRowSql = (dialect: BucketSqlDialect): string => `SELECT ${LIMITS_VERSION_ROW}, (${LIMITS_VERSION_SQL}), 0, 0, 0, 0, ${dialect.nullTime}`;

/**
 * `bucketSumsSql` in two pieces, for statements that do more with the sums: `ctes` opens a WITH
 * list (no trailing comma) and `select` is the UNION of the sums rows; `params` numbers from 1.
 */
export function bucketSumsParts(dialect: BucketSqlDialect, queries: readonly UsageQuery[], filterIds: readonly (number | null)[], now: Date): { ctes: string; select: string; params: unknown[] } {
  const bucketTuples: Typed[][] = [];
  const rawTuples: Typed[][] = [];
  const windowTuples: Typed[][] = [];
  queries.forEach((query, q) => {
    const id = filterIds[q] ?? null;
    const parts = id === null ? rawWindow(query) : query.end.getTime() >= OPEN_END_MS ? liveOpenEndedParts(query.start.getTime()) : liveWindowParts(query.start.getTime(), query.end.getTime(), now.getTime());
    for (const part of parts) {
      if (part.kind === "buckets") bucketTuples.push([[q, "int"], [id, "int"], [part.span, "int"], [part.from, "bigint"], [part.to, "bigint"]]);
      else if (!isEmptyPart(part)) rawTuples.push([[q, "int"], [dialect.time(new Date(part.from)), "time"], [dialect.time(new Date(part.to)), "time"], [part.closed ? 1 : 0, "int"], [part.less ? -1 : 1, "int"], ...filterTuple(query.filter)]);
    }
    windowTuples.push([[q, "int"], [dialect.time(query.start), "time"], [dialect.time(query.end), "time"], ...filterTuple(query.filter)]);
  });
  // The arrays cannot be empty: a row for query -1 matches nothing.
  if (bucketTuples.length === 0) bucketTuples.push([[-1, "int"], [-1, "int"], [0, "int"], [0, "bigint"], [0, "bigint"]]);
  if (rawTuples.length === 0) rawTuples.push([[-1, "int"], [dialect.time(new Date(0)), "time"], [dialect.time(new Date(0)), "time"], [0, "int"], [1, "int"], ...filterTuple({})]);
  const p = new Params(dialect);
  // One array per column (unnest): the text, and so its plan, is the same whatever the number of
  // queries, so a named statement is planned once.
  const rows = (tuples: Typed[][]) => `SELECT * FROM unnest(${tuples[0]!.map(([, type], c) => `${dialect.typed(p.add(tuples.map((t) => t[c]![0])), type)}[]`).join(", ")})`;
  const bucketRows = rows(bucketTuples);
  const rawRows = rows(rawTuples);
  const nowParam = p.add(dialect.time(now), "time");
  // Usually no reservation is open: one probe then spares every query its scan of the reservations.
  const windowRows = `${rows(windowTuples)} WHERE EXISTS (SELECT 1 FROM quota_reservations WHERE expires_at > ${nowParam})`;
  const int = dialect.integer;
  const ctes =
    `WITH rb (q, f, span, lo, hi) AS (${bucketRows}), ` +
    `rr (q, lo, hi, closed, sign, model, username, caller_name, project_mode, project, tag_key, tag_value) AS (${rawRows}), ` +
    `rw (q, lo, hi, model, username, caller_name, project_mode, project, tag_key, tag_value) AS (${windowRows}) `;
  const bucketWhere = "b.filter_id = rb.f AND b.span = rb.span AND b.start >= rb.lo AND b.start < rb.hi";
  const rawWhere = `e.timestamp >= rr.lo AND e.timestamp <= rr.hi AND (rr.closed = 1 OR e.timestamp < rr.hi) AND ${filterMatchSql("rr", "e", "entries")}`;
  const heldWhere = `r.created_at >= rw.lo AND r.created_at <= rw.hi AND r.expires_at > ${nowParam} AND ${filterMatchSql("rw", "r", "reservations")}`;
  const sums = (alias: string, requests: string, input: string, output: string, total: string, cost: string) =>
    `${requests} AS requests, SUM(${alias}.${input}) AS input_tokens, SUM(${alias}.${output}) AS output_tokens, SUM(${alias}.${total}) AS total_tokens, SUM(${alias}.${cost}) AS cost_nanos`;
  // Raw rows count with their part's sign (the rows after a window's end are subtracted from its last minute).
  const outerOf = (sign: string) => ["requests", "input_tokens", "output_tokens", "total_tokens", "cost_nanos"].map((c) => `${int(`SUM(s.${c}${sign})`)} AS ${c}`).join(", ");
  const outer = outerOf("");
  // LATERAL forces one index range scan per array row; the planner may otherwise hash-join the whole table.
  const select =
    `SELECT rb.q AS q, ${outer}, ${dialect.nullTime} AS oldest FROM rb CROSS JOIN LATERAL (SELECT ${sums("b", "SUM(b.requests)", "input_tokens", "output_tokens", "total_tokens", "cost_nanos")} FROM quota_buckets b WHERE ${bucketWhere}) s GROUP BY rb.q ` +
    `UNION ALL SELECT rr.q, ${outerOf(" * rr.sign")}, ${dialect.nullTime} FROM rr CROSS JOIN LATERAL (SELECT ${sums("e", "COUNT(*)", "prompt_tokens", "completion_tokens", "total_tokens", "cost_nanos")} FROM accounting_entries e WHERE ${rawWhere}) s GROUP BY rr.q ` +
    `UNION ALL SELECT rw.q, ${outer}, MIN(s.oldest) FROM rw CROSS JOIN LATERAL (SELECT ${sums("r", "COUNT(*)", "input_tokens", "completion_tokens", "input_tokens + r.completion_tokens", "cost_nanos")}, MIN(r.created_at) AS oldest FROM quota_reservations r WHERE ${heldWhere}) s GROUP BY rw.q`;
  return { ctes, select, params: p.values };
}

/** Statements that register a filter's buckets from the rows already stored: minutes from rows, hours from minutes, days from hours. */
export function backfillSql(dialect: BucketSqlDialect, filterId: number, bucketOf: (column: string, span: string) => string): QuotaSqlStatement[] {
  const columns = "filter_id, span, start, requests, input_tokens, output_tokens, total_tokens, cost_nanos";
  const [minute, hour, day] = BUCKET_SPANS;
  const id = dialect.param(1);
  const int = dialect.integer;
  const fromRows =
    `INSERT INTO quota_buckets (${columns}) SELECT f.id, ${minute}, ${bucketOf("e.timestamp", String(minute))}, ${int("COUNT(*)")}, ${int("SUM(e.prompt_tokens)")}, ` +
    `${int("SUM(e.completion_tokens)")}, ${int("SUM(e.total_tokens)")}, ${int("SUM(e.cost_nanos)")} FROM quota_filters f JOIN accounting_entries e ON ${filterMatchSql("f", "e")} ` +
    `WHERE f.id = ${id} GROUP BY f.id, 3`;
  const rollUp = (span: number, from: number) =>
    `INSERT INTO quota_buckets (${columns}) SELECT filter_id, ${span}, start - (((start % ${span}) + ${span}) % ${span}), ${int("SUM(requests)")}, ${int("SUM(input_tokens)")}, ` +
    `${int("SUM(output_tokens)")}, ${int("SUM(total_tokens)")}, ${int("SUM(cost_nanos)")} FROM quota_buckets WHERE filter_id = ${id} AND span = ${from} GROUP BY filter_id, 3`;
  return [fromRows, rollUp(hour, minute), rollUp(day, hour)].map((sql) => ({ sql, params: [filterId] }));
}


/** The `q` of the row carrying the limits version in `bucketSumsSql(..., true)`; fold skips it. */
export const LIMITS_VERSION_ROW = -2;

/** Folds the rows of `bucketSumsSql` into one `QuotaUsage` per query (`oldest`: the oldest open reservation). */
export function foldBucketRows(dialect: QuotaSqlDialect, count: number, rows: readonly Record<string, unknown>[]): QuotaUsage[] {
  const out = Array.from({ length: count }, () => ({ requests: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0, costNanos: 0n, oldest: null as Date | null }));
  for (const row of rows) {
    const q = Number(row.q);
    if (q < 0) continue;
    const acc = out[q]!;
    acc.requests += Number(row.requests ?? 0);
    acc.inputTokens += Number(row.input_tokens ?? 0);
    acc.outputTokens += Number(row.output_tokens ?? 0);
    acc.totalTokens += Number(row.total_tokens ?? 0);
    acc.costNanos += BigInt((row.cost_nanos ?? 0) as bigint | number | string);
    const oldest = dialect.readTime(row.oldest);
    if (oldest && (!acc.oldest || oldest < acc.oldest)) acc.oldest = oldest;
  }
  return out;
}
