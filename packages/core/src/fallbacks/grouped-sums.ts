import type { TimeRange } from "../store/time-range.js";
import { dimensionValue, type GroupUsageTotals, type ModelUsageTotals, type UsageDimension, type UsageRecordFilter } from "../store/usage-totals.js";
import type { UsageStore } from "../store/usage-store.js";
import { sumGroupsOverRows } from "./sums-over-rows.js";

/** Usage per model and per column, as the optional part `groupedSums` of the contract offers it. */
export type GroupedSums = Required<Pick<UsageStore, "sumUsageByModel" | "sumUsageBy">>;

/**
 * The store's own sums per model and per column when it has them (capability `groupedSums`);
 * else the same sums worked out by paging through `usageInRange` (slower, same result).
 */
export function groupedSumsOf(store: UsageStore): GroupedSums {
  if (store.sumUsageByModel && store.sumUsageBy) return store as UsageStore & GroupedSums;
  return {
    sumUsageByModel: async (range: TimeRange, filter: UsageRecordFilter = {}): Promise<ModelUsageTotals[]> =>
      (await sumGroupsOverRows(store, range, (record) => record.model, filter)).map(({ key, ...totals }) => ({ model: key!, ...totals })),
    sumUsageBy: (range: TimeRange, dimension: UsageDimension, filter: UsageRecordFilter = {}): Promise<GroupUsageTotals[]> =>
      sumGroupsOverRows(store, range, (record) => dimensionValue(record, dimension), filter),
  };
}
