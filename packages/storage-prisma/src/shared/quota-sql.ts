import type { UsageFilter, UsageQuery } from "@llm-accounting/core";

/** Dialect details of the quota sums query. */
export interface QuotaSqlDialect {
  /** Placeholder for the n-th (1-based) parameter. */
  param(n: number): string;
  /** Casts an aggregate so it reads back as a 64-bit integer. */
  integer(expression: string): string;
  /** Encodes an instant as a parameter. */
  time(date: Date): unknown;
  /** Decodes a MIN(timestamp) value. */
  readTime(value: unknown): Date | null;
  /** Encodes an exact integer amount (tokens, nano-dollars) as a parameter compared with a SUM. */
  amount(value: bigint): unknown;
}

/** A compiled statement: SQL and its parameters. */
export interface QuotaSqlStatement {
  readonly sql: string;
  readonly params: unknown[];
}

const filterSql = (filter: UsageFilter, columnPrefix: string, next: (value: unknown) => string): string => {
  const parts: string[] = [];
  if (filter.model !== undefined) parts.push(`${columnPrefix}model = ${next(filter.model)}`);
  if (filter.username !== undefined) parts.push(`${columnPrefix}username = ${next(filter.username)}`);
  if (filter.callerName !== undefined) parts.push(`${columnPrefix}caller_name = ${next(filter.callerName)}`);
  if (filter.project === null) parts.push(`${columnPrefix}project IS NULL`);
  else if (filter.project !== undefined) parts.push(`${columnPrefix}project = ${next(filter.project)}`);
  if (filter.tag) parts.push(tagExistsSql("quota_reservation_tags", "reservation_id", "quota_reservations", filter.tag, next));
  return parts.map((p) => ` AND ${p}`).join("");
};

/** SQL testing that row `alias` carries a filter's tag (its key, and its value unless null), in `table`. */
export function tagExistsSql(table: string, idColumn: string, alias: string, tag: NonNullable<UsageFilter["tag"]>, next: (value: unknown) => string): string {
  // Placeholders in text order: SQLite's `?` binds by position.
  const key = next(tag.key);
  const value = tag.value === null ? "" : ` AND tg.value = ${next(tag.value)}`;
  return `EXISTS (SELECT 1 FROM ${table} tg WHERE tg.${idColumn} = ${alias}.id AND tg.key = ${key}${value})`;
}

type SqlRows = Record<string, unknown>[];

/** The open reservations a query counts (created in its window, not expired at `now`). */
export function heldReservationsSql(dialect: QuotaSqlDialect, query: UsageQuery, now: Date): QuotaSqlStatement {
  const params: unknown[] = [];
  const next = (value: unknown) => {
    params.push(value);
    return dialect.param(params.length);
  };
  return {
    sql:
      `SELECT created_at, expires_at, input_tokens, completion_tokens, cost_nanos FROM quota_reservations ` +
      `WHERE created_at >= ${next(dialect.time(query.start))} AND created_at <= ${next(dialect.time(query.end))} AND expires_at > ${next(dialect.time(now))}${filterSql(query.filter, "", next)}`,
    params,
  };
}

/** Drives a statement generator with a synchronous query function. */
export function runSync<R>(work: Generator<QuotaSqlStatement, R, SqlRows>, all: (statement: QuotaSqlStatement) => SqlRows): R {
  let step = work.next();
  while (!step.done) step = work.next(all(step.value));
  return step.value;
}

/** Drives a statement generator with an asynchronous query function. */
export async function runAsync<R>(work: Generator<QuotaSqlStatement, R, SqlRows>, all: (statement: QuotaSqlStatement) => Promise<SqlRows>): Promise<R> {
  let step = work.next();
  while (!step.done) step = work.next(await all(step.value));
  return step.value;
}
