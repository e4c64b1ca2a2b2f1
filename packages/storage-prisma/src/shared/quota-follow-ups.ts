import { exceededReleases, heldAmountOf, releaseInstant, releaseSteps, type HeldUsage, type LimitType, type QuotaUsage, type UsageFilter, type UsageQuery } from "@llm-accounting/core";
import { BUCKET_AMOUNT, filterMatchSql, filterTuple, Params, rawWindow, ROW_AMOUNT, type BucketSqlDialect, type SqlRows } from "./quota-filter-sql.js";
import { heldReservationsSql, tagExistsSql, type QuotaSqlStatement } from "./quota-sql.js";
import { BUCKET_SPANS, isEmptyPart, windowParts, type BucketsPart, type RowsPart, type WindowPart } from "./window-parts.js";

/**
 * What a quota check reads beyond the sums, only when it needs them: when a rolling window frees
 * enough room (a denial's retry time), the oldest counted row, and the raw rows SQLite's cache
 * sums. Generators of statements, so SQLite runs them synchronously and PostgreSQL asynchronously.
 */

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
