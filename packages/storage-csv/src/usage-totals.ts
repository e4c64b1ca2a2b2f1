import { matchesUsageRecordFilter, totalsOfRecords, type GroupUsageTotals, type TimeRange, type UsageRecord, type UsageRecordFilter, type UsageTotals } from "@llm-accounting/core";

/** The usage rows in `range` (both ends included) that match `filter`. */
export function rowsInRange(rows: readonly UsageRecord[], range: TimeRange, filter: UsageRecordFilter): UsageRecord[] {
  const start = range.start.getTime();
  const end = range.end.getTime();
  return rows.filter((r) => {
    const t = r.timestamp.getTime();
    return t >= start && t <= end && matchesUsageRecordFilter(filter, r);
  });
}

/** Totals per key of `keyOf` (null last), sorted by key. */
export function groupTotals(rows: Iterable<UsageRecord>, keyOf: (row: UsageRecord) => string | null): GroupUsageTotals[] {
  const groups = new Map<string | null, UsageRecord[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const list = groups.get(key);
    if (list) list.push(row);
    else groups.set(key, [row]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0))
    .map(([key, rows]) => ({ key, ...totalsOf(rows) }));
}

/** The summed figures of these usage rows, as the SQL stores report them (core's column table decides what is summed). */
export function totalsOf(rows: readonly UsageRecord[]): UsageTotals {
  return totalsOfRecords(rows);
}
