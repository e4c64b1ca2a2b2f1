import { exceededReleases, heldAmountOf, releaseInstant, releaseSteps, type HeldUsage, type LimitType, type QuotaUsage, type UsageFilter, type UsageQuery } from "@llm-accounting/core";

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

/** A compiled quota-sums statement: SQL, parameters, and how to fold its rows into results. */
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
  return parts.map((p) => ` AND ${p}`).join("");
};

/**
 * One statement summing every query over usage rows and open reservations (UNION ALL, one branch
 * per query and table); `q` numbers the query each row belongs to.
 */
export function quotaSumsSql(dialect: QuotaSqlDialect, queries: readonly UsageQuery[], now: Date): QuotaSqlStatement {
  const params: unknown[] = [];
  const next = (value: unknown) => {
    params.push(value);
    return dialect.param(params.length);
  };
  const int = dialect.integer;
  const branches: string[] = [];
  queries.forEach((query, q) => {
    branches.push(
      `SELECT ${q} AS q, ${int("COUNT(*)")} AS requests, ${int("COALESCE(SUM(prompt_tokens), 0)")} AS input_tokens, ` +
        `${int("COALESCE(SUM(completion_tokens), 0)")} AS output_tokens, ${int("COALESCE(SUM(total_tokens), 0)")} AS total_tokens, ` +
        `${int("COALESCE(SUM(cost_nanos), 0)")} AS cost_nanos, MIN(timestamp) AS oldest FROM accounting_entries ` +
        `WHERE timestamp >= ${next(dialect.time(query.start))} AND timestamp <= ${next(dialect.time(query.end))}${filterSql(query.filter, "", next)}`,
    );
    branches.push(
      `SELECT ${q} AS q, ${int("COUNT(*)")} AS requests, ${int("COALESCE(SUM(input_tokens), 0)")} AS input_tokens, ` +
        `${int("COALESCE(SUM(completion_tokens), 0)")} AS output_tokens, ${int("COALESCE(SUM(input_tokens + completion_tokens), 0)")} AS total_tokens, ` +
        `${int("COALESCE(SUM(cost_nanos), 0)")} AS cost_nanos, MIN(created_at) AS oldest FROM quota_reservations ` +
        `WHERE created_at >= ${next(dialect.time(query.start))} AND created_at <= ${next(dialect.time(query.end))} AND expires_at > ${next(dialect.time(now))}${filterSql(query.filter, "", next)}`,
    );
  });
  return { sql: branches.join(" UNION ALL "), params };
}

/** Folds the rows of `quotaSumsSql` into one `QuotaUsage` per query. */
export function foldQuotaRows(dialect: QuotaSqlDialect, count: number, rows: readonly Record<string, unknown>[]): QuotaUsage[] {
  const out = Array.from({ length: count }, () => ({ requests: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0, costNanos: 0n, oldest: null as Date | null }));
  for (const row of rows) {
    const acc = out[Number(row.q)]!;
    acc.requests += Number(row.requests);
    acc.inputTokens += Number(row.input_tokens);
    acc.outputTokens += Number(row.output_tokens);
    acc.totalTokens += Number(row.total_tokens);
    acc.costNanos += BigInt(row.cost_nanos as bigint | number | string);
    const oldest = dialect.readTime(row.oldest);
    if (oldest && (!acc.oldest || oldest < acc.oldest)) acc.oldest = oldest;
  }
  return out;
}

// What one usage row holds of each limit type, as a column expression.
const ROW_AMOUNT: Record<LimitType, string> = {
  requests: "1",
  input_tokens: "prompt_tokens",
  output_tokens: "completion_tokens",
  total_tokens: "total_tokens",
  cost: "cost_nanos",
};

/**
 * The timestamp of the row at which the running sum of a query's rows, oldest first, reaches
 * `amount`: an ordered scan of the window that stops at the first such row (no row: never).
 */
export function rowReachingSql(dialect: QuotaSqlDialect, query: UsageQuery, type: LimitType, amount: bigint): QuotaSqlStatement {
  const params: unknown[] = [];
  const next = (value: unknown) => {
    params.push(value);
    return dialect.param(params.length);
  };
  const window =
    `SELECT timestamp AS ts, SUM(${ROW_AMOUNT[type]}) OVER (ORDER BY timestamp ROWS UNBOUNDED PRECEDING) AS running FROM accounting_entries ` +
    `WHERE timestamp >= ${next(dialect.time(query.start))} AND timestamp <= ${next(dialect.time(query.end))}${filterSql(query.filter, "", next)}`;
  return { sql: `SELECT ts FROM (${window}) AS w WHERE running >= ${next(dialect.amount(amount))} ORDER BY ts LIMIT 1`, params };
}

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

type SqlRows = Record<string, unknown>[];

/**
 * Fills `QuotaUsage.releasedAt` for queries with release needs, asking the database only about
 * needs the sums exceed (the denial path). A generator of statements, so one implementation
 * serves a synchronous driver (`runSync`) and an asynchronous one (`runAsync`).
 */
export function* releaseWork(dialect: QuotaSqlDialect, queries: readonly UsageQuery[], usage: readonly QuotaUsage[], now: Date): Generator<QuotaSqlStatement, QuotaUsage[], SqlRows> {
  const out = [...usage];
  for (const [i, query] of queries.entries()) {
    if (!query.releases) continue;
    const releasedAt: (Date | null)[] = query.releases.map(() => null);
    const exceeded = exceededReleases(query, usage[i]!);
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
        for (const step of steps) {
          if (step.fromRows <= 0n) reached.push(null);
          else reached.push(dialect.readTime((yield rowReachingSql(dialect, query, need.type, step.fromRows))[0]?.ts)?.getTime() ?? null);
        }
        releasedAt[index] = releaseInstant(need, steps, reached);
      }
    }
    out[i] = { ...usage[i]!, releasedAt };
  }
  return out;
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
