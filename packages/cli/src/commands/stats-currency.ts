import { convertedSums, roundedQuotient, type Accounting, type TagBreakdownFilter, type UsageDimension } from "@llm-accounting/core";
import type { DisplayCurrency } from "../currency/currency-options.js";
import { unitsText } from "../currency/record-money.js";

/** A `stats` report's amounts in the display currency (1e-9 units of it), each day's usage at that day's rate. */
export interface ConvertedStats {
  readonly currency: string;
  readonly totalCost: bigint;
  readonly averageCost: bigint;
  readonly models: ReadonlyMap<string, bigint>;
  /** With `--by`: per value (null: usage without one). */
  readonly groups?: ReadonlyMap<string | null, bigint>;
}

/** What `convertStats` sums: the report's range, filter and breakdown. */
export interface StatsQuery {
  readonly start: Date;
  readonly end: Date;
  readonly filter: TagBreakdownFilter;
  readonly requests: number;
  readonly byColumn?: UsageDimension;
  readonly byTag?: string;
}

/**
 * The report's costs converted: the range is cut where the rate changes (days of `zone`) and each
 * piece summed with the same queries as the report, so a month with a rate per day costs one query
 * per day and part, and a month at one rate the report's own three.
 */
export async function convertStats(accounting: Accounting, query: StatsQuery, display: DisplayCurrency, zone: string): Promise<ConvertedStats> {
  const segments = display.rates.segments(display.code, query.start, query.end, zone);
  const { filter, byColumn, byTag } = query;
  const [totals, models, groups] = await Promise.all([
    convertedSums(segments, async (start, end) => [["", (await accounting.getPeriodStats(start, end, filter)).sumCostNanos] as const]),
    convertedSums(segments, async (start, end) => (await accounting.getModelStats(start, end, filter)).map((m) => [m.model, m.stats.sumCostNanos] as const)),
    byTag !== undefined || byColumn !== undefined
      ? convertedSums(segments, async (start, end) =>
          (byTag !== undefined ? await accounting.getUsageByTag(start, end, byTag, filter) : await accounting.getUsageBreakdown(start, end, byColumn!, filter)).map((g) => [g.key, g.costNanos] as const),
        )
      : undefined,
  ]);
  const totalCost = totals.get("") ?? 0n;
  return {
    currency: display.code,
    totalCost,
    averageCost: query.requests ? roundedQuotient(totalCost, BigInt(query.requests)) : 0n,
    models,
    ...(groups && { groups }),
  };
}

// In the report's own order: by name, usage without a value last.
const byKey = <K extends string | null>([a]: readonly [K, bigint], [b]: readonly [K, bigint]): number => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);

/** The `converted` part of `stats --format json`: exact decimal text per amount. */
export function convertedStatsJson(c: ConvertedStats) {
  return {
    currency: c.currency,
    totalCost: unitsText(c.totalCost),
    averageCost: unitsText(c.averageCost),
    models: [...c.models].sort(byKey).map(([model, units]) => ({ model, cost: unitsText(units) })),
    ...(c.groups && { groups: [...c.groups].sort(byKey).map(([key, units]) => ({ key, cost: unitsText(units) })) }),
  };
}
