import { amountOfType, evaluateQuota, exceededReleases, planQuota, releaseAtFromRows, type QuotaDecision, type QuotaRequest, type QuotaUsage, type UsageLimit, type UsageQuery } from "../../src/quota/index.js";

let nextId = 1;
/** A stored limit: GLOBAL 10 requests per minute unless overridden; ids grow in creation order. */
export const limit = (l: Partial<UsageLimit> = {}): UsageLimit => ({
  id: nextId++,
  scope: "GLOBAL",
  limitType: "requests",
  maxValue: 10,
  intervalUnit: "minute",
  intervalValue: 1,
  model: null,
  username: null,
  callerName: null,
  projectName: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...l,
});

/** A call by user1 through app1 in project p1 to gpt-4, with no tokens or cost unless given. */
export const request = (r: Partial<QuotaRequest> = {}): QuotaRequest => ({
  model: "gpt-4",
  username: "user1",
  callerName: "app1",
  projectName: "p1",
  inputTokens: 0,
  completionTokens: 0,
  costNanos: 0n,
  ...r,
});

/** Sums as a store would return them; zero unless given. */
export const usage = (u: Partial<QuotaUsage> = {}): QuotaUsage => ({ requests: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0, costNanos: 0n, oldest: null, ...u });

/** A tracked call as the store keeps it. */
export interface Row {
  model: string;
  username: string | null;
  callerName: string | null;
  project: string | null;
  at: Date;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  costNanos: bigint;
}

/** A row like `request()`'s call, tracked at `at`. */
export const row = (at: Date, r: Partial<Row> = {}): Row => ({
  model: "gpt-4",
  username: "user1",
  callerName: "app1",
  project: "p1",
  inputTokens: 0,
  outputTokens: 0,
  totalTokens: 0,
  costNanos: 0n,
  ...r,
  at,
});

/** `count` copies of a row. */
export const rows = (count: number, at: Date, r: Partial<Row> = {}): Row[] => Array.from({ length: count }, () => row(at, r));

/** Test oracle: what a store must sum for a query (equality per filter field, both window ends inclusive). */
export function sumRows(all: readonly Row[], query: UsageQuery): QuotaUsage {
  const f = query.filter;
  const hit = all.filter(
    (r) =>
      (!("model" in f) || r.model === f.model) &&
      (!("username" in f) || r.username === f.username) &&
      (!("callerName" in f) || r.callerName === f.callerName) &&
      (!("project" in f) || r.project === f.project) &&
      r.at.getTime() >= query.start.getTime() &&
      r.at.getTime() <= query.end.getTime(),
  );
  const times = hit.map((r) => r.at.getTime());
  const sums = {
    requests: hit.length,
    inputTokens: hit.reduce((s, r) => s + r.inputTokens, 0),
    outputTokens: hit.reduce((s, r) => s + r.outputTokens, 0),
    totalTokens: hit.reduce((s, r) => s + r.totalTokens, 0),
    costNanos: hit.reduce((s, r) => s + r.costNanos, 0n),
    oldest: times.length ? new Date(Math.min(...times)) : null,
  };
  if (!query.releases) return sums;
  const releasedAt: (Date | null)[] = query.releases.map(() => null);
  for (const { index, need, excess } of exceededReleases(query, sums)) {
    const counted = hit.map((r) => ({ at: r.at.getTime(), amount: amountOfType(need.type, r.inputTokens, r.outputTokens, r.totalTokens, r.costNanos) }));
    releasedAt[index] = releaseAtFromRows(need, excess, counted, []);
  }
  return { ...sums, releasedAt };
}

/** A whole check against tracked rows: plan, let the oracle sum each query, decide. */
export function check(limits: readonly UsageLimit[], req: QuotaRequest, tracked: readonly Row[], now: Date): QuotaDecision {
  const plan = planQuota(limits, req, now);
  return evaluateQuota(plan, plan.queries.map((q) => sumRows(tracked, q)), req, now);
}

/** A check where every query of the plan sums to the same `u`. */
export function decide(limits: readonly UsageLimit[], req: QuotaRequest, u: QuotaUsage, now: Date): QuotaDecision {
  const plan = planQuota(limits, req, now);
  return evaluateQuota(plan, plan.queries.map(() => u), req, now);
}

/** Dollars to nano-dollars without going through the code under test (whole cents only). */
export const cents = (c: number): bigint => BigInt(c) * 10_000_000n;
