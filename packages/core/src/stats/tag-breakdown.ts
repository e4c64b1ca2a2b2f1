import { EMPTY_TOTALS, addRecord, addTotals } from "../store/usage-sums.js";
import { matchesTagFilter, matchesUsageRecordFilter, type GroupUsageTotals, type TagBreakdownFilter, type UsageDimension, type UsageTotals } from "../store/usage-totals.js";
import type { TimeRange } from "../store/time-range.js";
import type { UsageRecord } from "../store/usage-record.js";
import type { UsageStore } from "../store/usage-store.js";

const PAGE = 5_000;

/**
 * Usage per value of a tag key, for a store without `sumUsageByTag`: pages through the range and
 * sums in memory (slower, same result). Records without the tag form the last group (key null).
 */
export async function sumUsageByTagFallback(store: UsageStore, range: TimeRange, key: string, filter: TagBreakdownFilter): Promise<GroupUsageTotals[]> {
  return sumGroupsFallback(store, range, (record) => record.tags?.[key] ?? null, filter);
}

/**
 * Usage narrowed by tags per value of a column (null: one group), for a store without
 * `sumTaggedUsage`: the same paging through the range.
 */
export async function sumTaggedUsageFallback(store: UsageStore, range: TimeRange, dimension: UsageDimension | null, filter: TagBreakdownFilter): Promise<GroupUsageTotals[]> {
  return sumGroupsFallback(store, range, (record) => (dimension === null ? null : record[dimension]), filter);
}

async function sumGroupsFallback(store: UsageStore, range: TimeRange, groupOf: (record: UsageRecord) => string | null, filter: TagBreakdownFilter): Promise<GroupUsageTotals[]> {
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

/** Adds up groups (the totals of a report narrowed by tags). */
export function sumGroups(groups: readonly UsageTotals[]): UsageTotals {
  return groups.reduce<UsageTotals>(addTotals, EMPTY_TOTALS);
}
