import { exceededReleases, heldAmountOf, releaseInstant, releaseSteps, type HeldUsage, type LimitType, type QuotaUsage, type UsageFilter, type UsageQuery } from "@llm-accounting/core";
import { heldReservationsSql, tagExistsSql, type QuotaSqlDialect, type QuotaSqlStatement } from "./quota-sql.js";
import { BUCKET_SPANS, isEmptyPart, OPEN_END_MS, openEndedParts, windowParts, type BucketsPart, type RowsPart, type WindowPart } from "./window-parts.js";

export { BUCKET_SPANS, isEmptyPart, openEndedParts, windowParts, type BucketsPart, type RowsPart, type WindowPart };


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
  const c = filterColumns(filter);
  const columns: unknown[] = [c.model, c.username, c.callerName, c.projectMode, c.project];
  return JSON.stringify(c.tagKey === null ? columns : [...columns, c.tagKey, c.tagValue]);
}

/** The one part of a window whose filter has no buckets: all its raw rows. */
const rawWindow = (query: UsageQuery): WindowPart[] => [{ kind: "rows", from: query.start.getTime(), to: query.end.getTime(), closed: true }];

// What one usage row and one bucket hold of each limit type.
const ROW_AMOUNT: Record<LimitType, string> = { requests: "1", input_tokens: "e.prompt_tokens", output_tokens: "e.completion_tokens", total_tokens: "e.total_tokens", cost: "e.cost_nanos" };
const BUCKET_AMOUNT: Record<LimitType, string> = { requests: "requests", input_tokens: "input_tokens", output_tokens: "output_tokens", total_tokens: "total_tokens", cost: "cost_nanos" };

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
class Params {
  readonly values: unknown[] = [];
  constructor(private readonly dialect: BucketSqlDialect) {}
  add(value: unknown, type?: "int" | "bigint" | "text" | "time"): string {
    this.values.push(value);
    const placeholder = this.dialect.param(this.values.length);
    return type ? this.dialect.typed(placeholder, type) : placeholder;
  }
}


/** A parameter value with the type its VALUES column or array needs. */
type Typed = readonly [unknown, "int" | "bigint" | "text" | "time"];

/** A filter's `quota_filters` columns as typed parameters (for VALUES rows or arrays). */
function filterTuple(filter: UsageFilter): Typed[] {
  const c = filterColumns(filter);
  return [[c.model, "text"], [c.username, "text"], [c.callerName, "text"], [c.projectMode, "int"], [c.project, "text"], [c.tagKey, "text"], [c.tagValue, "text"]];
}

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

/** The row of `LIMITS_VERSION_ROW`: the limits version as its requests. */
export const limitsVersionRowSql = (dialect: BucketSqlDialect): string => `SELECT ${LIMITS_VERSION_ROW}, value, 0, 0, 0, 0, ${dialect.nullTime} FROM store_counters WHERE key = 'limits_version'`;

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
    const parts = id === null ? rawWindow(query) : query.end.getTime() >= OPEN_END_MS ? openEndedParts(query.start.getTime()) : windowParts(query.start.getTime(), query.end.getTime());
    for (const part of parts) {
      if (part.kind === "buckets") bucketTuples.push([[q, "int"], [id, "int"], [part.span, "int"], [part.from, "bigint"], [part.to, "bigint"]]);
      else if (!isEmptyPart(part)) rawTuples.push([[q, "int"], [dialect.time(new Date(part.from)), "time"], [dialect.time(new Date(part.to)), "time"], [part.closed ? 1 : 0, "int"], ...filterTuple(query.filter)]);
    }
    windowTuples.push([[q, "int"], [dialect.time(query.start), "time"], [dialect.time(query.end), "time"], ...filterTuple(query.filter)]);
  });
  // The arrays cannot be empty: a row for query -1 matches nothing.
  if (bucketTuples.length === 0) bucketTuples.push([[-1, "int"], [-1, "int"], [0, "int"], [0, "bigint"], [0, "bigint"]]);
  if (rawTuples.length === 0) rawTuples.push([[-1, "int"], [dialect.time(new Date(0)), "time"], [dialect.time(new Date(0)), "time"], [0, "int"], ...filterTuple({})]);
  const p = new Params(dialect);
  // One array per column (unnest): the text, and so its plan, is the same whatever the number of
  // queries, so a named statement is planned once.
  const rows = (tuples: Typed[][]) => `SELECT * FROM unnest(${tuples[0]!.map(([, type], c) => `${dialect.typed(p.add(tuples.map((t) => t[c]![0])), type)}[]`).join(", ")})`;
  const bucketRows = rows(bucketTuples);
  const rawRows = rows(rawTuples);
  const windowRows = rows(windowTuples);
  const nowParam = p.add(dialect.time(now), "time");
  const int = dialect.integer;
  const ctes =
    `WITH rb (q, f, span, lo, hi) AS (${bucketRows}), ` +
    `rr (q, lo, hi, closed, model, username, caller_name, project_mode, project, tag_key, tag_value) AS (${rawRows}), ` +
    `rw (q, lo, hi, model, username, caller_name, project_mode, project, tag_key, tag_value) AS (${windowRows}) `;
  const bucketWhere = "b.filter_id = rb.f AND b.span = rb.span AND b.start >= rb.lo AND b.start < rb.hi";
  const rawWhere = `e.timestamp >= rr.lo AND e.timestamp <= rr.hi AND (rr.closed = 1 OR e.timestamp < rr.hi) AND ${filterMatchSql("rr", "e", "entries")}`;
  const heldWhere = `r.created_at >= rw.lo AND r.created_at <= rw.hi AND r.expires_at > ${nowParam} AND ${filterMatchSql("rw", "r", "reservations")}`;
  const sums = (alias: string, requests: string, input: string, output: string, total: string, cost: string) =>
    `${requests} AS requests, SUM(${alias}.${input}) AS input_tokens, SUM(${alias}.${output}) AS output_tokens, SUM(${alias}.${total}) AS total_tokens, SUM(${alias}.${cost}) AS cost_nanos`;
  const outer = `${int("SUM(s.requests)")} AS requests, ${int("SUM(s.input_tokens)")} AS input_tokens, ${int("SUM(s.output_tokens)")} AS output_tokens, ${int("SUM(s.total_tokens)")} AS total_tokens, ${int("SUM(s.cost_nanos)")} AS cost_nanos`;
  // LATERAL forces one index range scan per array row; the planner may otherwise hash-join the whole table.
  const select =
    `SELECT rb.q AS q, ${outer}, ${dialect.nullTime} AS oldest FROM rb CROSS JOIN LATERAL (SELECT ${sums("b", "SUM(b.requests)", "input_tokens", "output_tokens", "total_tokens", "cost_nanos")} FROM quota_buckets b WHERE ${bucketWhere}) s GROUP BY rb.q ` +
    `UNION ALL SELECT rr.q, ${outer}, ${dialect.nullTime} FROM rr CROSS JOIN LATERAL (SELECT ${sums("e", "COUNT(*)", "prompt_tokens", "completion_tokens", "total_tokens", "cost_nanos")} FROM accounting_entries e WHERE ${rawWhere}) s GROUP BY rr.q ` +
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

type SqlRows = Record<string, unknown>[];

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

const filterWhere = (p: Params, filter: UsageFilter): string => {
  const parts: string[] = [];
  if (filter.model !== undefined) parts.push(`e.model = ${p.add(filter.model)}`);
  if (filter.username !== undefined) parts.push(`e.username = ${p.add(filter.username)}`);
  if (filter.callerName !== undefined) parts.push(`e.caller_name = ${p.add(filter.callerName)}`);
  if (filter.project === null) parts.push("e.project IS NULL");
  else if (filter.project !== undefined) parts.push(`e.project = ${p.add(filter.project)}`);
  if (filter.tag) parts.push(tagExistsSql("usage_tags", "entry_id", "e", filter.tag, (value) => p.add(value)));
  return parts.map((x) => ` AND ${x}`).join("");
};

/** For raw rows of one part: the timestamp at which their running sum (oldest first) reaches `amount`, and their total. */
function rowsReachSql(dialect: BucketSqlDialect, filter: UsageFilter, part: RowsPart, type: LimitType, amount: bigint): QuotaSqlStatement {
  const p = new Params(dialect);
  const range = () => {
    const lo = p.add(dialect.time(new Date(part.from)));
    const hi = p.add(dialect.time(new Date(part.to)));
    return `e.timestamp >= ${lo} AND e.timestamp ${part.closed ? "<=" : "<"} ${hi}${filterWhere(p, filter)}`;
  };
  const running = `SELECT e.timestamp AS ts, SUM(${ROW_AMOUNT[type]}) OVER (ORDER BY e.timestamp ROWS UNBOUNDED PRECEDING) AS running FROM accounting_entries e WHERE ${range()}`;
  const reached = `SELECT ts FROM (${running}) AS w WHERE running >= ${p.add(dialect.amount(amount))} ORDER BY ts LIMIT 1`;
  const total = `SELECT ${dialect.integer(`COALESCE(SUM(${ROW_AMOUNT[type]}), 0)`)} FROM accounting_entries e WHERE ${range()}`;
  return { sql: `SELECT (${reached}) AS ts, (${total}) AS total`, params: p.values };
}

/** The non-empty buckets of one part, oldest first, with their amount of a type. */
function bucketsOfSql(dialect: BucketSqlDialect, filterId: number, part: BucketsPart, type: LimitType): QuotaSqlStatement {
  const p = new Params(dialect);
  const where = () => `filter_id = ${p.add(filterId)} AND span = ${p.add(part.span)} AND start >= ${p.add(part.from)} AND start < ${p.add(part.to)}`;
  if (dialect.hotBuckets === null) return { sql: `SELECT start, ${BUCKET_AMOUNT[type]} AS amount FROM quota_buckets WHERE ${where()} AND requests > 0 ORDER BY start`, params: p.values };
  // A bucket's sums may be split over both tables: add them up per start first.
  const rows = (table: string) => `SELECT start, requests, ${BUCKET_AMOUNT[type]} AS amount FROM ${table} WHERE ${where()}`;
  return {
    sql: `SELECT start, ${dialect.integer("SUM(amount)")} AS amount FROM (${rows("quota_buckets")} UNION ALL ${rows(dialect.hotBuckets)}) AS b GROUP BY start HAVING SUM(requests) > 0 ORDER BY start`,
    params: p.values,
  };
}

/** The next finer parts of one bucket: hours of a day, minutes of an hour, rows of a minute. */
function partsOf(span: number, start: number): WindowPart[] {
  if (span === BUCKET_SPANS[0]) return [{ kind: "rows", from: start * 1000, to: (start + span) * 1000, closed: false }];
  const finer = BUCKET_SPANS[BUCKET_SPANS.indexOf(span as (typeof BUCKET_SPANS)[number]) - 1]!;
  return [{ kind: "buckets", span: finer, from: start, to: start + span }];
}

/**
 * The timestamp (ms) of the row at which the running sum of a query's rows of one type, oldest
 * first, reaches `amount` (null: never): whole buckets are skipped by their sums, the one where
 * the sum is reached is opened (day, hour, minute, then its rows), so the work does not grow
 * with the rows in the window.
 */
export function* reachedAt(dialect: BucketSqlDialect, query: UsageQuery, filterId: number | null, type: LimitType, amount: bigint): Generator<QuotaSqlStatement, number | null, SqlRows> {
  let left = amount;
  let queue = filterId === null ? rawWindow(query) : windowParts(query.start.getTime(), query.end.getTime());
  while (queue.length > 0) {
    const part = queue.shift()!;
    if (isEmptyPart(part)) continue;
    if (part.kind === "rows") {
      const [row] = yield rowsReachSql(dialect, query.filter, part, type, left);
      const ts = dialect.readTime(row?.ts);
      if (ts) return ts.getTime();
      left -= BigInt((row?.total ?? 0) as bigint | number | string);
      continue;
    }
    for (const bucket of yield bucketsOfSql(dialect, filterId!, part, type)) {
      const value = BigInt(bucket.amount as bigint | number | string);
      if (value >= left) {
        queue = partsOf(part.span, Number(bucket.start));
        break;
      }
      left -= value;
    }
  }
  return null;
}

/**
 * The follow-ups' result when none of them needs the database (no query asks for its oldest row
 * and no release need is exceeded: the common, allowed check); null otherwise. Lets the hot path
 * skip the statement generator.
 */
export function followUpsWithoutQueries(queries: readonly UsageQuery[], usage: readonly QuotaUsage[]): QuotaUsage[] | null {
  const out: QuotaUsage[] = new Array(queries.length);
  for (let i = 0; i < queries.length; i++) {
    const query = queries[i]!;
    if (query.needsOldest) return null;
    const sums = usage[i]!;
    if (!query.releases) {
      out[i] = sums.oldest === null ? sums : { ...sums, oldest: null };
      continue;
    }
    if (exceededReleases(query, sums).length > 0) return null;
    out[i] = { ...sums, oldest: null, releasedAt: query.releases.map(() => null) };
  }
  return out;
}

/**
 * Completes the sums of `bucketSumsSql`: `oldest` for queries that ask (`needsOldest`), and
 * `releasedAt` for queries with release needs, asking the database only about needs the sums
 * exceed (the denial path). A generator of statements, driven by `runSync` or `runAsync`.
 */
export function* bucketFollowUps(dialect: BucketSqlDialect, queries: readonly UsageQuery[], filterIds: readonly (number | null)[], usage: readonly QuotaUsage[], now: Date): Generator<QuotaSqlStatement, QuotaUsage[], SqlRows> {
  const out: QuotaUsage[] = [];
  for (const [i, query] of queries.entries()) {
    const id = filterIds[i] ?? null;
    let sums = usage[i]!;
    if (query.needsOldest) {
      const first = yield* reachedAt(dialect, query, id, "requests", 1n);
      const held = sums.oldest?.getTime() ?? null;
      const oldest = first === null ? held : held === null ? first : Math.min(first, held);
      sums = { ...sums, oldest: oldest === null ? null : new Date(oldest) };
    } else {
      sums = { ...sums, oldest: null };
    }
    if (query.releases) {
      const releasedAt: (Date | null)[] = query.releases.map(() => null);
      const exceeded = exceededReleases(query, sums);
      if (exceeded.length > 0) {
        const held: HeldUsage[] = (yield heldReservationsSql(dialect, query, now)).map((r) => ({
          createdAt: dialect.readTime(r.created_at)!.getTime(),
          expiresAt: dialect.readTime(r.expires_at)!.getTime(),
          inputTokens: Number(r.input_tokens),
          completionTokens: Number(r.completion_tokens),
          costNanos: BigInt(r.cost_nanos as bigint | number | string),
        }));
        for (const { index, need, excess } of exceeded) {
          const steps = releaseSteps(
            need,
            excess,
            held.map((h) => heldAmountOf(need.type, h)),
          );
          const reached: (number | null)[] = [];
          for (const step of steps) reached.push(step.fromRows <= 0n ? null : yield* reachedAt(dialect, query, id, need.type, step.fromRows));
          releasedAt[index] = releaseInstant(need, steps, reached);
        }
      }
      sums = { ...sums, releasedAt };
    }
    out.push(sums);
  }
  return out;
}

/** Raw rows of a filter in `[from, to)` or `[from, to]`, to sum on their own. */
export interface RowsToSum {
  readonly filter: UsageFilter;
  readonly part: RowsPart;
}

/**
 * One statement summing each part's raw rows separately (`q` numbers the part): for windows of a
 * filter without buckets (a read-only store reading a filter no writer registered).
 */
export function rowSumsSql(dialect: BucketSqlDialect, parts: readonly RowsToSum[]): QuotaSqlStatement {
  const p = new Params(dialect);
  const values = parts
    .map(({ filter, part }, q) => `(${[q, dialect.time(new Date(part.from)), dialect.time(new Date(part.to)), part.closed ? 1 : 0].map((v) => p.add(v)).join(", ")}, ${filterTuple(filter).map(([v, type]) => p.add(v, type)).join(", ")})`)
    .join(", ");
  const int = dialect.integer;
  const sql =
    `WITH rr (q, lo, hi, closed, model, username, caller_name, project_mode, project, tag_key, tag_value) AS (VALUES ${values}) ` +
    `SELECT rr.q AS q, ${int("COUNT(*)")} AS requests, ${int("SUM(e.prompt_tokens)")} AS input_tokens, ${int("SUM(e.completion_tokens)")} AS output_tokens, ` +
    `${int("SUM(e.total_tokens)")} AS total_tokens, ${int("SUM(e.cost_nanos)")} AS cost_nanos ` +
    `FROM rr JOIN accounting_entries e ON e.timestamp >= rr.lo AND e.timestamp <= rr.hi WHERE (rr.closed = 1 OR e.timestamp < rr.hi) AND ${filterMatchSql("rr", "e", "entries")} GROUP BY rr.q`;
  return { sql, params: p.values };
}
