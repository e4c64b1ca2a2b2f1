import {
  totalsOfRecords,
  amountOfType,
  rowsReachingAt,
  usageFilterMatches,
  withReleases,
  type GroupUsageTotals,
  type HeldUsage,
  type QuotaUsage,
  type UsageQuery,
  type UsageRecord,
  type UsageTotals,
} from "@llm-accounting/core";
import type { ReservationRow } from "./memory-data.js";

/** Sums rows the way every store must, so reports agree whatever the backend. */
export const totalsOf = (rows: readonly UsageRecord[]): UsageTotals => totalsOfRecords(rows);

/** Groups ordered by key with the null group last, as `ORDER BY key NULLS LAST` on byte-wise strings. */
export function groupTotals(rows: readonly UsageRecord[], keyOf: (row: UsageRecord) => string | null): GroupUsageTotals[] {
  const groups = new Map<string | null, UsageRecord[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const list = groups.get(key);
    if (list) list.push(row);
    else groups.set(key, [row]);
  }
  return [...groups.entries()].sort(([a], [b]) => compareKeys(a, b)).map(([key, list]) => ({ key, ...totalsOf(list) }));
}

function compareKeys(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

/**
 * The sums of quota checks: per query, the rows in its window and filter plus the reservations
 * open at `now` created in the window (a reservation counts like one row of its estimated size).
 * Windows include both ends. The release times of exceeded rolling limits are worked out from the
 * counted rows with core's helpers, which every store that holds rows in memory can share.
 */
export function quotaSums(usage: readonly UsageRecord[], reservations: readonly ReservationRow[], queries: readonly UsageQuery[], now: Date): QuotaUsage[] {
  const open = reservations.filter((r) => r.expiresAt.getTime() > now.getTime());
  return queries.map((query) => {
    const inWindow = (at: Date) => at.getTime() >= query.start.getTime() && at.getTime() <= query.end.getTime();
    const rows = usage.filter((r) => inWindow(r.timestamp) && usageFilterMatches(query.filter, r));
    const holds = open.filter((r) => inWindow(r.createdAt) && usageFilterMatches(query.filter, r));
    let oldest: number | null = null;
    const sums = { requests: rows.length + holds.length, inputTokens: 0, outputTokens: 0, totalTokens: 0, costNanos: 0n };
    for (const r of rows) {
      sums.inputTokens += r.promptTokens;
      sums.outputTokens += r.completionTokens;
      sums.totalTokens += r.totalTokens;
      sums.costNanos += r.costNanos;
      oldest = Math.min(oldest ?? Infinity, r.timestamp.getTime());
    }
    for (const h of holds) {
      sums.inputTokens += h.inputTokens;
      sums.outputTokens += h.completionTokens;
      sums.totalTokens += h.inputTokens + h.completionTokens;
      sums.costNanos += h.costNanos;
      oldest = Math.min(oldest ?? Infinity, h.createdAt.getTime());
    }
    const held: HeldUsage[] = holds.map((h) => ({ createdAt: h.createdAt.getTime(), expiresAt: h.expiresAt.getTime(), inputTokens: h.inputTokens, completionTokens: h.completionTokens, costNanos: h.costNanos }));
    const counted = { ...sums, oldest: oldest === null ? null : new Date(oldest) };
    return withReleases(query, counted, held, (type, amount) => {
      const amounts = rows.map((r) => ({ at: r.timestamp.getTime(), amount: amountOfType(type, r.promptTokens, r.completionTokens, r.totalTokens, r.costNanos) }));
      return rowsReachingAt(amounts, [amount])[0]!;
    });
  });
}
