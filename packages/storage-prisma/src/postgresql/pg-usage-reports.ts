import type pg from "pg";
import { usageFilterFields, type GroupUsageTotals, type ModelUsageTotals, type TagBreakdownFilter, type TimeRange, type UsageDimension, type UsageRecordFilter, type UsageTotals } from "@llm-accounting/core";
import { splitByDay, splitByHour, splitParams } from "../shared/hour-split.js";
import { dailyDimsKey, dailyDimsSumSql, filteredSumSql, filterParams, tagFilterParams, tagSumSql, rangeSumSql, ROLLED_UP_DIMENSIONS, totalsFromRow, type SumDialect, type TotalsRow } from "../shared/sql-columns.js";
import { TagSums } from "../shared/tag-sums.js";
import type { TagSqlDialect } from "../shared/tag-rollup-sql.js";

const PG_DIALECT: SumDialect = {
  param: (n) => `$${n}::timestamptz`,
  micros: (column) => `round(${column} * 1000000)::bigint`,
  integer: (expression) => `${expression}::bigint`,
};
const SUM_RANGE_SQL = rangeSumSql(PG_DIALECT, false);
// Parameters 1 and 2 of the filtered sums are instants, the others the filter's values.
const PG_FILTERED: SumDialect = { ...PG_DIALECT, param: (n) => (n <= 2 ? `$${n}::timestamptz` : `$${n}`) };
const SUM_BY_MODEL_SQL = rangeSumSql(PG_DIALECT, true);
const PG_TAG_DIALECT: TagSqlDialect = { ...PG_DIALECT, placeholder: (n, value) => (value instanceof Date ? `$${n}::timestamptz` : `$${n}`), time: (d) => d };

/** Runs one statement on the store's pool. */
export type PgQuery = <T>(sql: string, params: unknown[]) => Promise<pg.QueryResult<T & pg.QueryResultRow>>;

/**
 * The usage reports of the PostgreSQL store: from the hourly and daily rollups when no filter
 * needs the entries, else from the entries (tags from usage_tag_hourly where the filter allows).
 */
export class PgUsageReports {
  readonly #query: PgQuery;
  readonly #tagSums: TagSums;

  constructor(query: PgQuery) {
    this.#query = query;
    this.#tagSums = new TagSums({
      dialect: PG_TAG_DIALECT,
      run: async ({ sql, params }) => (await query<TotalsRow>(sql, params)).rows,
      totalRow: async (range) => (await query<TotalsRow>(SUM_RANGE_SQL, splitParams(splitByHour(range), (d) => d))).rows[0]!,
      byTagFromEntries: async (range, key, filter) => {
        const rows = (await query<TotalsRow>(tagSumSql(PG_FILTERED, filter), [range.start, range.end, key, ...tagFilterParams(filter)])).rows;
        return rows.map((row) => ({ key: row.key === null ? null : String(row.key), ...totalsFromRow(row) }));
      },
    });
  }

  /** See `UsageStore.sumUsage`. */
  async sumUsage(range: TimeRange, filter: UsageRecordFilter = {}): Promise<UsageTotals> {
    if (usageFilterFields(filter).length > 0) return totalsFromRow((await this.#filtered(null, range, filter))[0]);
    const result = await this.#query<TotalsRow>(SUM_RANGE_SQL, splitParams(splitByHour(range), (d) => d));
    return totalsFromRow(result.rows[0]);
  }

  /** See `UsageStore.sumUsageByModel`. */
  async sumUsageByModel(range: TimeRange, filter: UsageRecordFilter = {}): Promise<ModelUsageTotals[]> {
    if (usageFilterFields(filter).length > 0) return (await this.sumUsageBy(range, "model", filter)).map(({ key, ...totals }) => ({ model: String(key), ...totals }));
    const result = await this.#query<TotalsRow>(SUM_BY_MODEL_SQL, splitParams(splitByHour(range), (d) => d));
    return result.rows.map((row) => ({ model: String(row.model), ...totalsFromRow(row) }));
  }

  /** See `UsageStore.sumUsageBy`. */
  async sumUsageBy(range: TimeRange, dimension: UsageDimension, filter: UsageRecordFilter = {}): Promise<GroupUsageTotals[]> {
    if (usageFilterFields(filter).length === 0 && ROLLED_UP_DIMENSIONS.has(dimension)) {
      const rows = (await this.#query<TotalsRow>(dailyDimsSumSql(PG_DIALECT, dimension), splitParams(splitByDay(range), (d) => d))).rows;
      return rows.map((row) => ({ key: dailyDimsKey(row), ...totalsFromRow(row) }));
    }
    return (await this.#filtered(dimension, range, filter)).map((row) => ({ key: row.key === null ? null : String(row.key), ...totalsFromRow(row) }));
  }

  /** Sums per value of a tag key (records without it last, as null): from usage_tag_hourly when the filter allows. */
  async sumUsageByTag(range: TimeRange, key: string, filter: TagBreakdownFilter = {}): Promise<GroupUsageTotals[]> {
    return this.#tagSums.byTag(range, key, filter);
  }

  /** Sums narrowed by tags, per value of a column (null: one group). */
  async sumTaggedUsage(range: TimeRange, dimension: UsageDimension | null, filter: TagBreakdownFilter): Promise<GroupUsageTotals[]> {
    return this.#tagSums.tagged(range, dimension, filter);
  }

  async #filtered(dimension: UsageDimension | null, range: TimeRange, filter: UsageRecordFilter): Promise<TotalsRow[]> {
    const sql = filteredSumSql(PG_FILTERED, dimension, filter);
    return (await this.#query<TotalsRow>(sql, [range.start, range.end, ...filterParams(filter)])).rows;
  }
}
