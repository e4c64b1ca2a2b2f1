import type { QuotaUsage, UsageFilter, UsageQuery } from "@llm-accounting/core";

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
