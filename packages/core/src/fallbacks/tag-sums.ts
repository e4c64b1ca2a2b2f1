import type { TimeRange } from "../store/time-range.js";
import { dimensionValue, type GroupUsageTotals, type TagBreakdownFilter, type UsageDimension } from "../store/usage-totals.js";
import type { UsageStore } from "../store/usage-store.js";
import { sumGroupsOverRows } from "./sums-over-rows.js";

/** Usage per tag value and usage narrowed by tags, as the optional parts `tagSums` and `taggedSums` offer them. */
export type TagSums = Required<Pick<UsageStore, "sumUsageByTag" | "sumTaggedUsage">>;

/**
 * Usage per value of a tag key, for a store without `sumUsageByTag`: pages through the range and
 * sums in memory (slower, same result). Records without the tag form the last group (key null).
 */
export async function sumUsageByTagFallback(store: UsageStore, range: TimeRange, key: string, filter: TagBreakdownFilter): Promise<GroupUsageTotals[]> {
  return sumGroupsOverRows(store, range, (record) => record.tags?.[key] ?? null, filter);
}

/**
 * Usage narrowed by tags per value of a column (null: one group), for a store without
 * `sumTaggedUsage`: the same paging through the range.
 */
export async function sumTaggedUsageFallback(store: UsageStore, range: TimeRange, dimension: UsageDimension | null, filter: TagBreakdownFilter): Promise<GroupUsageTotals[]> {
  return sumGroupsOverRows(store, range, (record) => (dimension === null ? null : dimensionValue(record, dimension)), filter);
}

/** The store's own tag sums where it has them (capabilities `tagSums`, `taggedSums`), the fallbacks above for the rest. */
export function tagSumsOf(store: UsageStore): TagSums {
  return {
    sumUsageByTag: (range, key, filter = {}) => (store.sumUsageByTag ? store.sumUsageByTag(range, key, filter) : sumUsageByTagFallback(store, range, key, filter)),
    sumTaggedUsage: (range, dimension, filter) => (store.sumTaggedUsage ? store.sumTaggedUsage(range, dimension, filter) : sumTaggedUsageFallback(store, range, dimension, filter)),
  };
}
