import { EMPTY_TOTALS, matchesUsageRecordFilter, type GroupUsageTotals, type TimeRange, type UsageRecord, type UsageRecordFilter, type UsageTotals } from "@llm-accounting/core";

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

/** The summed figures of these usage rows, as the SQL stores report them. */
export function totalsOf(rows: readonly UsageRecord[]): UsageTotals {
  if (rows.length === 0) return EMPTY_TOTALS;
  let micros = 0;
  const t = { ...EMPTY_TOTALS, requests: rows.length } as { -readonly [K in keyof UsageTotals]: UsageTotals[K] };
  for (const r of rows) {
    t.promptTokens += r.promptTokens;
    t.completionTokens += r.completionTokens;
    t.totalTokens += r.totalTokens;
    t.localPromptTokens += r.localPromptTokens;
    t.localCompletionTokens += r.localCompletionTokens;
    t.localTotalTokens += r.localTotalTokens;
    t.cachedTokens += r.cachedTokens;
    t.reasoningTokens += r.reasoningTokens;
    t.costNanos += r.costNanos;
    // Microseconds, as the SQL stores sum them, so every store reports the same figure.
    micros += Math.round(r.executionTime * 1e6);
  }
  t.executionTime = micros / 1e6;
  return t;
}
