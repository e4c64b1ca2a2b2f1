import { usageFilterFields, type GroupUsageTotals, type TagBreakdownFilter, type TimeRange, type UsageDimension } from "@llm-accounting/core";
import { splitByHour } from "./hour-split.js";
import { totalsFromRow, type TotalsRow } from "./sql-columns.js";
import { singleTagOf, tagRollupSql, taggedEntriesSumSql, type BoundSql, type TagSqlDialect } from "./tag-rollup-sql.js";
import { ROLLUP_SUMMED } from "./sql-columns.js";

const SUMMED = ["requests", ...ROLLUP_SUMMED, "execution_micros"] as const;

/** What the tag reports need from a SQL store. */
export interface TagSumsSource {
  readonly dialect: TagSqlDialect;
  /** Runs one read query. */
  run(query: BoundSql): Promise<TotalsRow[]>;
  /** The store's own totals of a range (whole hours from usage_hourly, edges raw), as a row of integers. */
  totalRow(range: TimeRange): Promise<TotalsRow>;
  /** The breakdown by tag straight from the entries, for filters the rollup cannot answer. */
  byTagFromEntries(range: TimeRange, key: string, filter: TagBreakdownFilter): Promise<GroupUsageTotals[]>;
}

/**
 * The tag reports of the SQLite and PostgreSQL stores: from `usage_tag_hourly` when the question
 * is about one tag and no column, from the entries otherwise (see docs/storage.md).
 */
export class TagSums {
  readonly #source: TagSumsSource;

  constructor(source: TagSumsSource) {
    this.#source = source;
  }

  /** Usage per value of `key`, untagged last; the contract's `sumUsageByTag`. */
  async byTag(range: TimeRange, key: string, filter: TagBreakdownFilter): Promise<GroupUsageTotals[]> {
    if (usageFilterFields(filter).length > 0 || Object.keys(filter.tags ?? {}).length > 0) return this.#source.byTagFromEntries(range, key, filter);
    const [rows, total] = await Promise.all([this.#source.run(tagRollupSql(this.#source.dialect, splitByHour(range), key, "value")), this.#source.totalRow(range)]);
    // Each record has at most one value per key, so what the values leave of the total is untagged.
    const untagged = minus(total, add(rows));
    const groups = rows.map((row) => ({ key: String(row.key), ...totalsFromRow(row) }));
    return Number(untagged.requests) > 0 ? [...groups, { key: null, ...totalsFromRow(untagged) }] : groups;
  }

  /** Usage narrowed by tags (and columns), per value of `dimension` (null: one group); the contract's `sumTaggedUsage`. */
  async tagged(range: TimeRange, dimension: UsageDimension | null, filter: TagBreakdownFilter): Promise<GroupUsageTotals[]> {
    const single = singleTagOf(filter);
    if (single && (dimension === null || dimension === "model")) {
      const rows = await this.#source.run(tagRollupSql(this.#source.dialect, splitByHour(range), single[0], "model", single[1]));
      if (dimension === null) return [{ key: null, ...totalsFromRow(add(rows)) }];
      return rows.map((row) => ({ key: String(row.key), ...totalsFromRow(row) }));
    }
    const rows = await this.#source.run(taggedEntriesSumSql(this.#source.dialect, range.start, range.end, dimension, filter));
    return rows.map((row) => ({ key: row.key === null || row.key === undefined ? null : String(row.key), ...totalsFromRow(row) }));
  }
}

const big = (v: unknown): bigint => (v === null || v === undefined ? 0n : BigInt(v as bigint | number | string));

/** Column sums of rows, exact (micro-seconds and nano-dollars stay integers). */
function add(rows: readonly TotalsRow[]): TotalsRow {
  const out: TotalsRow = {};
  for (const c of SUMMED) out[c] = rows.reduce((s, r) => s + big(r[c]), 0n);
  return out;
}

function minus(a: TotalsRow, b: TotalsRow): TotalsRow {
  const out: TotalsRow = {};
  for (const c of SUMMED) out[c] = big(a[c]) - big(b[c]);
  return out;
}
