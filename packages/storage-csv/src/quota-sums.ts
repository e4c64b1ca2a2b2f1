import { amountOfType, rowsReachingAt, usageFilterMatches, withReleases, type HeldUsage, type QuotaUsage, type UsageQuery, type UsageRecord } from "@llm-accounting/core";
import type { ReservationRow } from "./codecs.js";

/**
 * What each quota query has used at `now`: the usage rows in its window plus the reservations
 * still open, with the releases a rolling window needs. Call under the directory lock.
 */
export function quotaSums(usage: readonly UsageRecord[], reservations: readonly ReservationRow[], queries: readonly UsageQuery[], now: Date): QuotaUsage[] {
  const open = reservations.filter((r) => r.expiresAt.getTime() > now.getTime());
  return queries.map((query) => {
    const start = query.start.getTime();
    const end = query.end.getTime();
    let requests = 0;
    let inputTokens = 0;
    let outputTokens = 0;
    let totalTokens = 0;
    let costNanos = 0n;
    let oldest: number | null = null;
    const count = (t: number, input: number, output: number, total: number, cost: bigint) => {
      requests++;
      inputTokens += input;
      outputTokens += output;
      totalTokens += total;
      costNanos += cost;
      if (oldest === null || t < oldest) oldest = t;
    };
    const counted: { timestamp: Date; promptTokens: number; completionTokens: number; totalTokens: number; costNanos: bigint }[] = [];
    for (const r of usage) {
      const t = r.timestamp.getTime();
      if (t >= start && t <= end && usageFilterMatches(query.filter, r)) {
        count(t, r.promptTokens, r.completionTokens, r.totalTokens, r.costNanos);
        counted.push(r);
      }
    }
    const held: HeldUsage[] = [];
    for (const r of open) {
      const t = r.createdAt.getTime();
      if (t >= start && t <= end && usageFilterMatches(query.filter, r)) {
        count(t, r.inputTokens, r.completionTokens, r.inputTokens + r.completionTokens, r.costNanos);
        held.push({ createdAt: t, expiresAt: r.expiresAt.getTime(), inputTokens: r.inputTokens, completionTokens: r.completionTokens, costNanos: r.costNanos });
      }
    }
    const sums = { requests, inputTokens, outputTokens, totalTokens, costNanos, oldest: oldest === null ? null : new Date(oldest) };
    // Only a denied rolling check gets here with an exceeded need: sorting its rows is the denial path.
    return withReleases(query, sums, held, (type, amount) => {
      const rows = counted.map((r) => ({ at: r.timestamp.getTime(), amount: amountOfType(type, r.promptTokens, r.completionTokens, r.totalTokens, r.costNanos) }));
      return rowsReachingAt(rows, [amount])[0]!;
    });
  });
}
