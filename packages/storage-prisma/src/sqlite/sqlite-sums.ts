import { usageFilterFields, type GroupUsageTotals, type ModelUsageTotals, type TagBreakdownFilter, type TimeRange, type UsageDimension, type UsageRecordFilter, type UsageTotals } from "@llm-accounting/core";
import { splitByDay, splitByHour, splitParams } from "../shared/hour-split.js";
import { dailyDimsKey, dailyDimsSumSql, filteredSumSql, filterParams, filterShape, rangeSumSql, ROLLED_UP_DIMENSIONS, tagFilterParams, tagSumSql, totalsFromRow, type TotalsRow } from "../shared/sql-columns.js";
import { TagSums } from "../shared/tag-sums.js";
import { sqliteTime } from "./batch-encoding.js";
import { SQLITE_DIALECT, SQLITE_TAG_DIALECT } from "./sqlite-statements.js";
import type { StatementCache } from "./statement-cache.js";

const RANGE_SUM = rangeSumSql(SQLITE_DIALECT, false);
const RANGE_SUM_BY_MODEL = rangeSumSql(SQLITE_DIALECT, true);

/** The usage reports of the SQLite store: whole hours and days from the rollup tables, the rest from the entries. */
export class SqliteSums {
  readonly #statements: StatementCache;
  readonly #tags: TagSums;

  constructor(statements: StatementCache) {
    this.#statements = statements;
    this.#tags = new TagSums({
      dialect: SQLITE_TAG_DIALECT,
      run: async ({ sql, params }) => statements.get(sql, "exact").all(params) as TotalsRow[],
      totalRow: async (range) => this.#rangeRow(range),
      byTagFromEntries: async (range, key, filter) => {
        const shape = `tag:${filterShape(filter)}:${Object.keys(filter.tags ?? {}).length}`;
        const statement = statements.built(shape, "exact", () => tagSumSql(SQLITE_DIALECT, filter));
        // Unnumbered placeholders bind in text order: the join's key comes before the range.
        const rows = statement.all(key, sqliteTime(range.start), sqliteTime(range.end), ...tagFilterParams(filter)) as TotalsRow[];
        return rows.map((row) => ({ key: row.key === null ? null : String(row.key), ...totalsFromRow(row) }));
      },
    });
  }

  /** Totals of a range. */
  total(range: TimeRange, filter: UsageRecordFilter): UsageTotals {
    if (usageFilterFields(filter).length > 0) return totalsFromRow(this.#filtered(null, range, filter)[0]);
    return totalsFromRow(this.#rangeRow(range));
  }

  /** Totals of a range per model. */
  byModel(range: TimeRange, filter: UsageRecordFilter): ModelUsageTotals[] {
    if (usageFilterFields(filter).length > 0) return this.by(range, "model", filter).map(({ key, ...totals }) => ({ model: String(key), ...totals }));
    const rows = this.#statements.get(RANGE_SUM_BY_MODEL, "exact").all(splitParams(splitByHour(range), sqliteTime)) as TotalsRow[];
    return rows.map((row) => ({ model: String(row.model), ...totalsFromRow(row) }));
  }

  /** Totals of a range per value of a column (from usage_daily_dims when the dimension is rolled up and nothing narrows it). */
  by(range: TimeRange, dimension: UsageDimension, filter: UsageRecordFilter): GroupUsageTotals[] {
    if (usageFilterFields(filter).length === 0 && ROLLED_UP_DIMENSIONS.has(dimension)) {
      const statement = this.#statements.built(`daily:${dimension}`, "exact", () => dailyDimsSumSql(SQLITE_DIALECT, dimension));
      const rows = statement.all(splitParams(splitByDay(range), sqliteTime)) as TotalsRow[];
      return rows.map((row) => ({ key: dailyDimsKey(row), ...totalsFromRow(row) }));
    }
    return this.#filtered(dimension, range, filter).map((row) => ({ key: row.key === null ? null : String(row.key), ...totalsFromRow(row) }));
  }

  /** Sums per value of a tag key (records without it last, as null): from usage_tag_hourly when the filter allows. */
  byTag(range: TimeRange, key: string, filter: TagBreakdownFilter): Promise<GroupUsageTotals[]> {
    return this.#tags.byTag(range, key, filter);
  }

  /** Sums narrowed by tags, per value of a column (null: one group). */
  tagged(range: TimeRange, dimension: UsageDimension | null, filter: TagBreakdownFilter): Promise<GroupUsageTotals[]> {
    return this.#tags.tagged(range, dimension, filter);
  }

  #rangeRow(range: TimeRange): TotalsRow {
    return this.#statements.get(RANGE_SUM, "exact").get(splitParams(splitByHour(range), sqliteTime)) as TotalsRow;
  }

  #filtered(dimension: UsageDimension | null, range: TimeRange, filter: UsageRecordFilter): TotalsRow[] {
    const statement = this.#statements.built(`${dimension}:${filterShape(filter)}`, "exact", () => filteredSumSql(SQLITE_DIALECT, dimension, filter));
    return statement.all([sqliteTime(range.start), sqliteTime(range.end), ...filterParams(filter)]) as TotalsRow[];
  }
}
