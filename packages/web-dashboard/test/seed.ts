import { Accounting, type UsageInput } from "@llm-accounting/core";
import { SqliteStore } from "@llm-accounting/storage-prisma";

const DAY = 86_400_000;

/** One seeded call, with the instant it is stamped at. */
export type SeededCall = UsageInput & { timestamp: Date; cost: number };

/**
 * Calls over 40 days (the dashboard shows the last 30 by default), several names per dimension
 * (service tiers included, one call with none) and a tag; costs are binary fractions so sums print without rounding doubts.
 */
export function seededCalls(now: number): SeededCall[] {
  const at = (days: number) => new Date(now - days * DAY - 60_000);
  return [
    { model: "gpt-4o", username: "alice", project: "support", callerName: "chat", serviceTier: "standard", promptTokens: 1200, cachedTokens: 400, completionTokens: 300, cost: 0.5, tags: { feature: "search", tenant: "acme" }, timestamp: at(0) },
    { model: "gpt-4o", username: "bob", project: "support", callerName: "chat", serviceTier: "standard", promptTokens: 100, completionTokens: 50, cost: 0.25, timestamp: at(1) },
    { model: "claude-sonnet", username: "alice", project: "research", callerName: "batch", serviceTier: "batch", promptTokens: 5000, completionTokens: 700, cost: 1.25, tags: { feature: "summarize" }, timestamp: at(2) },
    { model: "gpt-4o-mini", username: "carol", project: "research", callerName: null, promptTokens: 80, completionTokens: 20, cost: 0.0625, tags: { tenant: "globex" }, timestamp: at(3) },
    { model: "o3", username: "dave", project: "research", callerName: "batch", serviceTier: "priority", promptTokens: 300, completionTokens: 900, reasoningTokens: 600, cost: 2, tags: { feature: "search" }, timestamp: at(9) },
    { model: "gpt-4o", username: "alice", project: "support", callerName: "chat", promptTokens: 7, completionTokens: 7, cost: 3, timestamp: at(40) },
  ];
}

/** A SQLite file holding `calls` and two limits (alice's daily cost, everyone's monthly requests). */
export async function seedStore(file: string, calls: readonly SeededCall[]): Promise<void> {
  const accounting = new Accounting({ store: new SqliteStore({ file }) });
  try {
    await accounting.trackUsageBatch(calls);
    await accounting.setUsageLimit({ scope: "USER", username: "alice", model: null, callerName: null, projectName: null, limitType: "cost", maxValue: 2, intervalUnit: "day", intervalValue: 1 });
    await accounting.setUsageLimit({ scope: "GLOBAL", username: null, model: null, callerName: null, projectName: null, limitType: "requests", maxValue: 20, intervalUnit: "monthly", intervalValue: 1 });
  } finally {
    await accounting.close();
  }
}

/** Cost per value of `key` over `calls`, costliest first (the order the panels show). */
export function costBy(calls: readonly SeededCall[], key: (call: SeededCall) => string | null | undefined): [string, number][] {
  const sums = new Map<string, number>();
  for (const call of calls) {
    const name = key(call) ?? "(none)";
    sums.set(name, (sums.get(name) ?? 0) + call.cost);
  }
  return [...sums].sort((a, b) => b[1] - a[1]);
}
