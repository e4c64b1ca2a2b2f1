import type { LimitType } from "../store/limit-records.js";
import type { QuotaUsage, ReleaseNeed, UsageQuery } from "../store/quota-usage.js";
import { rollingExitAt } from "./window.js";

/** A usage row counted in a window: its timestamp (epoch ms) and its amount of one limit type. */
export interface CountedAmount {
  readonly at: number;
  readonly amount: bigint;
}

/** An open reservation counted in a window: created and expiring at (epoch ms), its amount of one limit type. */
export interface HeldAmount {
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly amount: bigint;
}

/**
 * One way enough usage can leave: once `after` (epoch ms) has passed, the reservations gone by
 * then have freed their share and the oldest rows must free `fromRows` more.
 */
export interface ReleaseStep {
  readonly after: number;
  readonly fromRows: bigint;
}

/** A release need of a query whose usage is over its ceiling, and by how much. */
export interface ExceededRelease {
  readonly index: number;
  readonly need: ReleaseNeed;
  readonly excess: bigint;
}

type Sums = Pick<QuotaUsage, "requests" | "inputTokens" | "outputTokens" | "totalTokens" | "costNanos">;

/** Usage of one limit type in a query's sums (nano-dollars for cost). */
export function usageOfType(type: LimitType, usage: Sums): bigint {
  switch (type) {
    case "requests":
      return BigInt(usage.requests);
    case "input_tokens":
      return BigInt(usage.inputTokens);
    case "output_tokens":
      return BigInt(usage.outputTokens);
    case "total_tokens":
      return BigInt(usage.totalTokens);
    case "cost":
      return usage.costNanos;
  }
}

/** What one row or reservation holds of a limit type: it is one request whatever its size. */
export function amountOfType(type: LimitType, input: number, output: number, total: number, costNanos: bigint): bigint {
  return usageOfType(type, { requests: 1, inputTokens: input, outputTokens: output, totalTokens: total, costNanos });
}

/** The release needs of a query that its sums exceed; only these need a release time. */
export function exceededReleases(query: UsageQuery, usage: Sums): ExceededRelease[] {
  const out: ExceededRelease[] = [];
  query.releases?.forEach((need, index) => {
    const excess = usageOfType(need.type, usage) - need.ceiling;
    if (excess > 0n) out.push({ index, need, excess });
  });
  return out;
}

/**
 * The candidate ways to free `excess`, one per number of reservations gone (in the order they
 * leave: out of the window or expired, whichever first); stops once reservations alone suffice.
 */
export function releaseSteps(need: ReleaseNeed, excess: bigint, holds: readonly HeldAmount[]): ReleaseStep[] {
  const leaving = holds
    .map((h) => ({ at: Math.min(rollingExitAt(new Date(h.createdAt), need.unit, need.intervalValue).getTime(), h.expiresAt), amount: h.amount }))
    .sort((a, b) => a.at - b.at);
  const steps: ReleaseStep[] = [{ after: Number.NEGATIVE_INFINITY, fromRows: excess }];
  let left = excess;
  for (const h of leaving) {
    if (left <= 0n) break;
    left -= h.amount;
    steps.push({ after: h.at, fromRows: left });
  }
  return steps;
}

/**
 * The earliest instant enough usage has left, from the steps and, for each step, the timestamp
 * of the row at which the running sum of the oldest rows reaches its `fromRows` (null when the
 * rows never do; ignored when the step needs nothing from rows). Rows leave in timestamp order,
 * so that row's exit is exactly when the rows have freed enough. Null when no step can succeed.
 */
export function releaseInstant(need: ReleaseNeed, steps: readonly ReleaseStep[], rowReachedAt: readonly (number | null)[]): Date | null {
  let best: number | null = null;
  steps.forEach((step, i) => {
    let at: number;
    if (step.fromRows <= 0n) at = step.after;
    else {
      const reached = rowReachedAt[i];
      if (reached === null || reached === undefined) return;
      at = Math.max(step.after, rollingExitAt(new Date(reached), need.unit, need.intervalValue).getTime());
    }
    if (best === null || at < best) best = at;
  });
  return best === null ? null : new Date(best);
}

/** For each amount, the timestamp of the row at which the running sum of rows, oldest first, reaches it (null if never). */
export function rowsReachingAt(rows: readonly CountedAmount[], amounts: readonly bigint[]): (number | null)[] {
  const sorted = [...rows].sort((a, b) => a.at - b.at);
  return amounts.map((wanted) => {
    let sum = 0n;
    for (const row of sorted) {
      sum += row.amount;
      if (sum >= wanted) return row.at;
    }
    return null;
  });
}

/** The release time of one exceeded need for a store that holds the counted rows and reservations in memory. */
export function releaseAtFromRows(need: ReleaseNeed, excess: bigint, rows: readonly CountedAmount[], holds: readonly HeldAmount[]): Date | null {
  const steps = releaseSteps(need, excess, holds);
  return releaseInstant(need, steps, rowsReachingAt(rows, steps.map((s) => s.fromRows)));
}

/** An open reservation as a store holds it (epoch ms), for `withReleases`. */
export interface HeldUsage {
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly inputTokens: number;
  readonly completionTokens: number;
  readonly costNanos: bigint;
}

/** A reservation's amount of one limit type (its total tokens are input plus completion). */
export function heldAmountOf(type: LimitType, held: HeldUsage): HeldAmount {
  const amount = amountOfType(type, held.inputTokens, held.completionTokens, held.inputTokens + held.completionTokens, held.costNanos);
  return { createdAt: held.createdAt, expiresAt: held.expiresAt, amount };
}

/**
 * A query's sums with `releasedAt` filled in, for stores that can answer synchronously: `held`
 * are the reservations the sums counted, `rowReachedAt` the timestamp of the row at which the
 * running sum of the query's rows, oldest first, reaches an amount of a type (null if never).
 * Only exceeded needs are worked out.
 */
export function withReleases(
  query: UsageQuery,
  usage: QuotaUsage,
  held: readonly HeldUsage[],
  rowReachedAt: (type: LimitType, amount: bigint) => number | null,
): QuotaUsage {
  if (!query.releases) return usage;
  const releasedAt: (Date | null)[] = query.releases.map(() => null);
  for (const { index, need, excess } of exceededReleases(query, usage)) {
    const steps = releaseSteps(
      need,
      excess,
      held.map((h) => heldAmountOf(need.type, h)),
    );
    releasedAt[index] = releaseInstant(
      need,
      steps,
      steps.map((s) => (s.fromRows > 0n ? rowReachedAt(need.type, s.fromRows) : null)),
    );
  }
  return { ...usage, releasedAt };
}
