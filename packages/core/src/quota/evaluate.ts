import { nanosToUsd, usdToNanos } from "../money.js";
import { isLimitApplicable, orderBySpecificity, usageFilterFor } from "./applicable.js";
import type { LimitType, QuotaRequest, QuotaUsage, UsageLimit, UsageQuery } from "./limit.js";
import { denialMessage } from "./message.js";
import { isRolling, rollingRetryAt, windowReset, windowStart } from "./window.js";

/** One limit to evaluate: `query` indexes `QuotaPlan.queries`; null marks an unlimited (-1) limit. */
export interface QuotaStep {
  readonly limit: UsageLimit;
  readonly query: number | null;
}

/** The limits a check walks, in order, and the usage sums it needs (each distinct query once). */
export interface QuotaPlan {
  readonly steps: readonly QuotaStep[];
  readonly queries: readonly UsageQuery[];
}

/** The outcome of a quota check. */
export interface QuotaDecision {
  readonly allowed: boolean;
  /** The denial message (spec §3.7 wording); null when allowed. */
  readonly reason: string | null;
  /** Whole seconds until the call may succeed; null when allowed, or when waiting cannot help (the request alone exceeds a limit above 0). */
  readonly retryAfterSeconds: number | null;
  /** The limit that denied the call. */
  readonly limit: UsageLimit | null;
  /** When the denying window frees up: its end (fixed) or when its oldest row leaves it (rolling); null when waiting cannot help. */
  readonly resetAt: Date | null;
}

const ALLOWED: QuotaDecision = Object.freeze({ allowed: true, reason: null, retryAfterSeconds: null, limit: null, resetAt: null });

function planFor(limits: readonly UsageLimit[], request: QuotaRequest, now: Date, stopAtUnlimited: boolean): QuotaPlan {
  const steps: QuotaStep[] = [];
  const queries: UsageQuery[] = [];
  const byKey = new Map<string, number>();
  for (const limit of limits) {
    if (!isLimitApplicable(limit, request)) continue;
    if (limit.maxValue === -1) {
      steps.push({ limit, query: null });
      if (stopAtUnlimited) break;
      continue;
    }
    const filter = usageFilterFor(limit);
    const start = windowStart(now, limit.intervalUnit, limit.intervalValue);
    const key = `${JSON.stringify(filter)}@${start.getTime()}`;
    let index = byKey.get(key);
    if (index === undefined) {
      index = queries.push({ filter, start, end: now }) - 1;
      byKey.set(key, index);
    }
    steps.push({ limit, query: index });
  }
  return { steps, queries };
}

/**
 * The walk of a check (spec §3.5): applicable limits, most specific first, up to and including
 * the first unlimited (-1) one, which allows the call outright; one usage query per window.
 */
export function planQuota(limits: readonly UsageLimit[], request: QuotaRequest, now: Date): QuotaPlan {
  return planFor(orderBySpecificity(limits), request, now, true);
}

/** Usage of a limit's type, in nano-dollars for cost. */
function currentOf(type: LimitType, usage: QuotaUsage): bigint {
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

/** What the request adds for a limit's type, in nano-dollars for cost. */
function requestOf(type: LimitType, request: QuotaRequest): bigint {
  switch (type) {
    case "requests":
      return 1n;
    case "input_tokens":
      return BigInt(request.inputTokens);
    case "output_tokens":
      return BigInt(request.completionTokens);
    case "total_tokens":
      return BigInt(request.inputTokens + request.completionTokens);
    case "cost":
      return request.costNanos;
  }
}

/** A limit's maximum in the unit `currentOf` uses; null when the limit is unlimited. */
function maxOf(limit: UsageLimit): bigint | null {
  if (limit.maxValue === -1) return null;
  if (limit.maxValue < 0) return -1n;
  return limit.limitType === "cost" ? usdToNanos(limit.maxValue) : BigInt(Math.floor(limit.maxValue));
}

const display = (type: LimitType, amount: bigint): number => (type === "cost" ? nanosToUsd(amount) : Number(amount));

/**
 * Decides a planned check from the sums (spec §3.5): the first limit whose usage plus the request
 * would exceed its maximum denies; reaching it exactly is allowed. Money is compared exactly.
 */
export function evaluateQuota(plan: QuotaPlan, usage: readonly QuotaUsage[], request: QuotaRequest, now: Date): QuotaDecision {
  for (const step of plan.steps) {
    if (step.query === null) return ALLOWED;
    const { limit } = step;
    const sums = usage[step.query]!;
    const current = currentOf(limit.limitType, sums);
    const amount = requestOf(limit.limitType, request);
    // A negative max other than -1 can only come from a hand-written row; like the original, it denies.
    if (limit.maxValue >= 0 && current + amount <= maxOf(limit)!) continue;
    const reason = denialMessage(limit, display(limit.limitType, current), display(limit.limitType, amount));
    // No window will ever hold a request larger than the limit: a retry time would send a
    // well-behaved caller back to be denied again, forever. (A limit of 0 keeps the original's
    // retry time: it is a switch an operator turns back on, and spec §3.8 pins those values.)
    // Only the first denying limit is looked at, as for the message.
    const max = maxOf(limit)!;
    if (max > 0n && amount > max) return { allowed: false, reason, retryAfterSeconds: null, limit, resetAt: null };
    const fixedReset = windowReset(now, limit.intervalUnit, limit.intervalValue);
    let resetAt: Date | null = fixedReset;
    let retryAfterSeconds: number;
    if (!isRolling(limit.intervalUnit)) {
      retryAfterSeconds = Math.max(0, Math.trunc((fixedReset!.getTime() - now.getTime()) / 1000));
    } else if (sums.oldest) {
      // The original always said 0 for rolling windows; nothing can change before the oldest
      // counted row leaves the window, so that is the honest earliest retry.
      resetAt = rollingRetryAt(sums.oldest, limit.intervalUnit, limit.intervalValue);
      retryAfterSeconds = Math.max(1, Math.ceil((resetAt.getTime() - now.getTime()) / 1000));
    } else {
      retryAfterSeconds = 0;
    }
    return {
      allowed: false,
      reason,
      retryAfterSeconds,
      limit,
      resetAt,
    };
  }
  return ALLOWED;
}

/** How much of a limit's current window is left. */
export interface LimitRemaining {
  readonly limit: UsageLimit;
  /** USD for cost limits, a count otherwise; Infinity for unlimited (-1) limits. */
  readonly remaining: number;
}

/** Every applicable limit in the given order (no sorting, no -1 short-cut; spec §3.9) and its queries. */
export function planRemaining(limits: readonly UsageLimit[], request: QuotaRequest, now: Date): QuotaPlan {
  return planFor(limits, request, now, false);
}

/** Remaining budget per planned limit: max − current usage (not counting any request), at least 0. */
export function remainingFromUsage(plan: QuotaPlan, usage: readonly QuotaUsage[]): LimitRemaining[] {
  return plan.steps.map(({ limit, query }) => {
    if (query === null) return { limit, remaining: Number.POSITIVE_INFINITY };
    const max = maxOf(limit)!;
    const left = max - currentOf(limit.limitType, usage[query]!);
    return { limit, remaining: left <= 0n ? 0 : display(limit.limitType, left) };
  });
}

/** A limit's usage in its current window, what is left of it and when the window frees up. */
export interface LimitStatus {
  readonly limit: UsageLimit;
  /** Used so far in the current window (USD for cost limits). */
  readonly used: number;
  /** Left in the window; Infinity for unlimited (-1) limits. */
  readonly remaining: number;
  /** End of a fixed window, or when the oldest counted row leaves a rolling one (null if none). */
  readonly resetAt: Date | null;
}

/** The window queries of every limit, regardless of any request (for dashboards and reports). */
export function planStatus(limits: readonly UsageLimit[], now: Date): UsageQuery[] {
  return limits.map((limit) => ({ filter: usageFilterFor(limit), start: windowStart(now, limit.intervalUnit, limit.intervalValue), end: now }));
}

/** Status of each limit from the sums of `planStatus`, in the same order. */
export function statusFromUsage(limits: readonly UsageLimit[], usage: readonly QuotaUsage[], now: Date): LimitStatus[] {
  return limits.map((limit, i) => {
    const sums = usage[i]!;
    const current = currentOf(limit.limitType, sums);
    const max = maxOf(limit);
    const remaining = max === null ? Number.POSITIVE_INFINITY : max - current <= 0n ? 0 : display(limit.limitType, max - current);
    const resetAt = isRolling(limit.intervalUnit)
      ? sums.oldest
        ? rollingRetryAt(sums.oldest, limit.intervalUnit, limit.intervalValue)
        : null
      : windowReset(now, limit.intervalUnit, limit.intervalValue);
    return { limit, used: display(limit.limitType, current), remaining, resetAt };
  });
}
