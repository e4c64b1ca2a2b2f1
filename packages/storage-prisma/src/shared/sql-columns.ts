import { EMPTY_TOTALS, SUMMED_USAGE_COLUMNS, USAGE_RECORD_COLUMNS, usageFilterFields, type NewUsageRecord, type TagBreakdownFilter, type UsageColumn, type UsageDimension, type UsageRecordFilter, type UsageTotals } from "@llm-accounting/core";

/** The accounting_entries columns every insert writes, in parameter order (core's table order). */
export const USAGE_COLUMNS: readonly string[] = USAGE_RECORD_COLUMNS.map((c) => c.name);

/** How a dialect binds the values of three kinds of usage column; the others bind as they are. */
export interface UsageParamEncoding {
  instant(value: Date): unknown;
  nanos(value: bigint): unknown;
  flag(value: boolean): unknown;
}

/**
 * The accounting_entries parameters of a record, in USAGE_COLUMNS order. Records built by hand
 * against an older contract may lack the columns added since the original ones: those bind their
 * defaults (0 or null).
 */
export function usageParamsOf(r: NewUsageRecord, encoding: UsageParamEncoding): unknown[] {
  const values = r as unknown as Record<string, unknown>;
  const params = new Array<unknown>(USAGE_RECORD_COLUMNS.length);
  for (let i = 0; i < USAGE_RECORD_COLUMNS.length; i++) {
    const { field, kind, original }: UsageColumn = USAGE_RECORD_COLUMNS[i]!;
    const value = values[field];
    if (kind === "instant") params[i] = encoding.instant(value as Date);
    else if (kind === "nanos") params[i] = encoding.nanos(value as bigint);
    else if (kind === "flag") params[i] = encoding.flag(value === true);
    else params[i] = original ? value : (value ?? (kind === "tokens" || kind === "seconds" ? 0 : null));
  }
  return params;
}

// A known agent call seen again with more tokens takes this copy's tokens and cost (see
// AgentImportStore.importAgentCalls): the token, nano-dollar and cost-source columns.
const GROWN = USAGE_RECORD_COLUMNS.flatMap((c, i) => (c.kind === "tokens" || c.kind === "nanos" || c.kind === "costSource" ? [i] : []));

/** The columns an agent call that grew updates, in `grownParams` order. */
export const GROWN_COLUMNS: readonly string[] = GROWN.map((i) => USAGE_COLUMNS[i]!);

/** Of a record's parameters (`usageParamsOf`), those of GROWN_COLUMNS. */
export const grownParams = (params: readonly unknown[]): unknown[] => GROWN.map((i) => params[i]);

/** The accounting_entries columns the rollup tables (usage_hourly, usage_daily_dims, usage_tag_hourly) sum as they are; execution time they keep as execution_micros. */
export const ROLLUP_SUMMED: readonly string[] = SUMMED_USAGE_COLUMNS.filter((c) => c.kind !== "seconds").map((c) => c.name);

const SUMMED = ROLLUP_SUMMED;

/** SQL dialect details the range-sum query depends on. */
export interface SumDialect {
  /** The n-th (1-based) placeholder. */
  param(n: number): string;
  /** Rounds execution_time (seconds) to integer microseconds. */
  micros(column: string): string;
  /** Wraps a SUM so it reads back as a 64-bit integer. */
  integer(expression: string): string;
}

/**
 * One query summing a range: whole hours from `usage_hourly`, the edges from `accounting_entries`
 * (see `splitByHour`; placeholders 1-6 follow `splitParams`). Execution time is summed in integer
 * microseconds on both paths so results do not depend on how the range was split.
 */
export function rangeSumSql(dialect: SumDialect, byModel: boolean): string {
  const p = dialect.param;
  const rollup = `SELECT model, requests, ${SUMMED.join(", ")}, execution_micros FROM usage_hourly WHERE hour >= ${p(1)} AND hour < ${p(2)}`;
  const raw =
    `SELECT model, 1 AS requests, ${SUMMED.join(", ")}, ${dialect.micros("execution_time")} AS execution_micros FROM accounting_entries ` +
    `WHERE (timestamp >= ${p(3)} AND timestamp < ${p(4)}) OR (timestamp >= ${p(5)} AND timestamp <= ${p(6)})`;
  const sums = ["requests", ...SUMMED, "execution_micros"].map((c) => `${dialect.integer(`COALESCE(SUM(${c}), 0)`)} AS ${c}`).join(", ");
  return byModel
    ? `SELECT model, ${sums} FROM (${rollup} UNION ALL ${raw}) AS parts GROUP BY model ORDER BY model`
    : `SELECT ${sums} FROM (${rollup} UNION ALL ${raw}) AS parts`;
}

/** A row of a totals query as drivers return it (integers as number or bigint). */
export type TotalsRow = Record<string, number | bigint | string | null>;

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/** Converts a totals row to `UsageTotals`. */
export function totalsFromRow(row: TotalsRow | undefined): UsageTotals {
  if (!row) return EMPTY_TOTALS;
  const totals: Record<string, number | bigint> = { requests: num(row.requests) };
  for (const { name, field, kind } of SUMMED_USAGE_COLUMNS) {
    if (kind === "nanos") totals[field] = row[name] === null || row[name] === undefined ? 0n : BigInt(row[name]);
    else if (kind === "seconds") totals[field] = num(row.execution_micros) / 1e6;
    else totals[field] = num(row[name]);
  }
  return totals as unknown as UsageTotals;
}

/** The `accounting_entries` column of each breakdown dimension. */
export const DIMENSION_COLUMNS: Readonly<Record<UsageDimension, string>> = {
  model: "model",
  username: "username",
  callerName: "caller_name",
  project: "project",
  session: "session",
  serviceTier: "service_tier",
};

/**
 * Sums straight from `accounting_entries` (no rollup), optionally grouped by a dimension and
 * narrowed by a filter. Placeholders: 1 start, 2 end, then the filter's non-null values in
 * `usageFilterFields` order (`filterParams`); a null value reads IS NULL. Null groups last.
 */
export function filteredSumSql(dialect: SumDialect, dimension: UsageDimension | null, filter: UsageRecordFilter = {}): string {
  const p = dialect.param;
  const sums = [
    `${dialect.integer("COUNT(*)")} AS requests`,
    ...SUMMED.map((c) => `${dialect.integer(`COALESCE(SUM(${c}), 0)`)} AS ${c}`),
    `${dialect.integer(`COALESCE(SUM(${dialect.micros("execution_time")}), 0)`)} AS execution_micros`,
  ].join(", ");
  let n = 2;
  const narrow = usageFilterFields(filter).map(([field, value]) => ` AND ${DIMENSION_COLUMNS[field]} ${value === null ? "IS NULL" : `= ${p(++n)}`}`);
  const where = `WHERE timestamp >= ${p(1)} AND timestamp <= ${p(2)}${narrow.join("")}`;
  if (dimension === null) return `SELECT ${sums} FROM accounting_entries ${where}`;
  const column = DIMENSION_COLUMNS[dimension];
  return `SELECT ${column} AS key, ${sums} FROM accounting_entries ${where} GROUP BY ${column} ORDER BY ${column} IS NULL, ${column}`;
}

/**
 * Sums per value of one tag key: each entry joins its tag of that key through usage_tags' primary
 * key (entry_id, key), so no entry counts twice and entries without it group as NULL, last.
 * Placeholders: 1 start, 2 end, 3 the key, then `filterParams`, then each filter tag's key and value
 * (in the text, 3 comes first: a dialect with unnumbered placeholders binds the key first).
 */
export function tagSumSql(dialect: SumDialect, filter: TagBreakdownFilter = {}): string {
  const p = dialect.param;
  const sums = [
    `${dialect.integer("COUNT(*)")} AS requests`,
    ...SUMMED.map((c) => `${dialect.integer(`COALESCE(SUM(e.${c}), 0)`)} AS ${c}`),
    `${dialect.integer(`COALESCE(SUM(${dialect.micros("e.execution_time")}), 0)`)} AS execution_micros`,
  ].join(", ");
  let n = 3;
  const narrow = usageFilterFields(filter).map(([field, value]) => ` AND e.${DIMENSION_COLUMNS[field]} ${value === null ? "IS NULL" : `= ${p(++n)}`}`);
  const tagged = Object.keys(filter.tags ?? {}).map(() => ` AND EXISTS (SELECT 1 FROM usage_tags f WHERE f.entry_id = e.id AND f.key = ${p(++n)} AND f.value = ${p(++n)})`);
  return (
    `SELECT t.value AS key, ${sums} FROM accounting_entries e LEFT JOIN usage_tags t ON t.entry_id = e.id AND t.key = ${p(3)} ` +
    `WHERE e.timestamp >= ${p(1)} AND e.timestamp <= ${p(2)}${narrow.join("")}${tagged.join("")} GROUP BY t.value ORDER BY t.value IS NULL, t.value`
  );
}

/** The values `tagSumSql` binds after start, end and the key. */
export const tagFilterParams = (filter: TagBreakdownFilter): string[] => [...filterParams(filter), ...Object.entries(filter.tags ?? {}).flat()];

/** The values `filteredSumSql` binds after start and end. */
export const filterParams = (filter: UsageRecordFilter): string[] => usageFilterFields(filter).flatMap(([, value]) => (value === null ? [] : [value]));

/** A key telling apart the filters that need different SQL (which fields, which null). */
export const filterShape = (filter: UsageRecordFilter): string => usageFilterFields(filter).map(([field, value]) => `${field}${value === null ? "=null" : ""}`).join(",");

/** The breakdown dimensions the daily rollup keeps (sessions are too many to roll up). */
export const ROLLED_UP_DIMENSIONS: ReadonlySet<UsageDimension> = new Set(["username", "project", "callerName"]);

/**
 * A breakdown by user, project or caller: whole days from `usage_daily_dims`, the edges from the
 * entries (placeholders 1-6 as `splitParams`). `key_null` carries NULL, which the rollup's keys cannot.
 */
export function dailyDimsSumSql(dialect: SumDialect, dimension: UsageDimension): string {
  const p = dialect.param;
  const column = DIMENSION_COLUMNS[dimension];
  const rollup = `SELECT ${column} AS key, ${column}_null AS key_null, requests, ${SUMMED.join(", ")}, execution_micros FROM usage_daily_dims WHERE day >= ${p(1)} AND day < ${p(2)}`;
  const raw =
    `SELECT COALESCE(${column}, '') AS key, (${column} IS NULL) AS key_null, 1 AS requests, ${SUMMED.join(", ")}, ${dialect.micros("execution_time")} AS execution_micros ` +
    `FROM accounting_entries WHERE (timestamp >= ${p(3)} AND timestamp < ${p(4)}) OR (timestamp >= ${p(5)} AND timestamp <= ${p(6)})`;
  const sums = ["requests", ...SUMMED, "execution_micros"].map((c) => `${dialect.integer(`COALESCE(SUM(${c}), 0)`)} AS ${c}`).join(", ");
  return `SELECT key, key_null, ${sums} FROM (${rollup} UNION ALL ${raw}) AS parts GROUP BY key, key_null ORDER BY key_null, key`;
}

/** The group key of a `dailyDimsSumSql` row. */
export const dailyDimsKey = (row: TotalsRow): string | null => (Number(row.key_null) ? null : String(row.key));
