import { EMPTY_TOTALS, addRecord } from "../store/usage-sums.js";
import { matchesTagFilter, matchesUsageRecordFilter, type GroupUsageTotals, type TagBreakdownFilter, type UsageTotals } from "../store/usage-totals.js";
import type { TimeRange } from "../store/time-range.js";
import type { UsageRecord } from "../store/usage-record.js";
import type { UsageStore } from "../store/usage-store.js";

const PAGE = 5_000;

/**
 * Sums the records in the range that pass the filter (columns and tags) per group, paging through
 * `usageInRange` (the one read every store has), ordered by key with the null group last: what a
 * store's grouped sums return, slower. The fallbacks of the optional sums share it.
 */
export async function sumGroupsOverRows(store: UsageStore, range: TimeRange, groupOf: (record: UsageRecord) => string | null, filter: TagBreakdownFilter): Promise<GroupUsageTotals[]> {
  const groups = new Map<string | null, UsageTotals>();
  for (let after = 0; ; ) {
    const page = await store.usageInRange(range, after, PAGE);
    for (const record of page) {
      if (!matchesUsageRecordFilter(filter, record) || !matchesTagFilter(filter, record.tags)) continue;
      const value = groupOf(record);
      groups.set(value, addRecord(groups.get(value) ?? EMPTY_TOTALS, record));
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.id;
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0))
    .map(([value, totals]) => ({ key: value, ...totals }));
}
