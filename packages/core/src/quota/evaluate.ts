import { nanosToUsd, usdToNanos } from "../money.js";
import { isLimitApplicable, orderBySpecificity, usageFilterFor } from "./applicable.js";
import type { LimitType, UsageLimit } from "../store/limit-records.js";
import type { AdmissionBound, QuotaUsage, ReleaseNeed, UsageFilter, UsageQuery } from "../store/quota-usage.js";
import type { QuotaRequest } from "./quota-request.js";
import { denialMessage } from "./message.js";
import { ALLOWED, type QuotaDecision } from "./quota-decision.js";
import type { UsageForecast } from "./forecast.js";
import { forecastOfLimit } from "./limit-forecast.js";
import { usageOfType } from "./release.js";
import { isRolling, rollingRetryAt, windowReset, windowStart } from "./window.js";

/**
 * One limit to evaluate: `query` indexes `QuotaPlan.queries`; null marks an unlimited (-1) limit.
 * `release` indexes that query's `releases` when the store is asked when this limit's rolling
 * window frees enough room for the request.
 */
export interface QuotaStep {
  readonly limit: UsageLimit;
  readonly query: number | null;
  readonly release?: number;
}

/** The limits a check walks, in order, and the usage sums it needs (each distinct query once). */
export interface QuotaPlan {
  readonly steps: readonly QuotaStep[];
  readonly queries: readonly UsageQuery[];
}

/** What a check derives from a limit alone; limits are immutable, so each is worked out once. */
interface LimitFacts {
  readonly filter: UsageFilter;
  /** The filter as text: equal filters share one usage query. */
  readonly filterKey: string;
  readonly max: bigint | null;
  readonly rolling: boolean;
}

const limitFacts = new WeakMap<UsageLimit, LimitFacts>();

/** The facts of a limit, memoised: a check walks up to every limit, many times a second. */
function factsOf(limit: UsageLimit): LimitFacts {
  let facts = limitFacts.get(limit);
  if (facts === undefined) {
    const filter = usageFilterFor(limit);
    facts = { filter, filterKey: JSON.stringify(filter), max: maxOf(limit), rolling: isRolling(limit.intervalUnit) };
    limitFacts.set(limit, facts);
  }
  return facts;
}

function planFor(limits: readonly UsageLimit[], request: QuotaRequest, now: Date, forCheck: boolean): QuotaPlan {
  const steps: QuotaStep[] = [];
  const queries: { filter: UsageFilter; start: Date; end: Date; releases?: ReleaseNeed[]; needsOldest?: boolean }[] = [];
  const byKey = new Map<string, number>();
  for (const limit of limits) {
    if (!isLimitApplicable(limit, request)) continue;
    if (limit.maxValue === -1) {
      steps.push({ limit, query: null });
      if (forCheck) break;
      continue;
    }
    const facts = factsOf(limit);
    const start = windowStart(now, limit.intervalUnit, limit.intervalValue);
    const key = `${facts.filterKey}@${start.getTime()}`;
    let index = byKey.get(key);
    if (index === undefined) {
      // The filter object is shared by every plan of this limit, so a store may key caches on it.
      index = queries.push({ filter: facts.filter, start, end: now }) - 1;
      byKey.set(key, index);
    }
    const release = forCheck ? releaseNeedFor(limit, request) : null;
    // A rolling limit of 0 (or below) waits for its oldest row to leave (see waitFor).
    if (forCheck && facts.rolling && limit.maxValue <= 0 && limit.maxValue !== -1) queries[index]!.needsOldest = true;
    if (release === null) steps.push({ limit, query: index });
    else {
      const releases = (queries[index]!.releases ??= []);
      steps.push({ limit, query: index, release: releases.push(release) - 1 });
    }
  }
  return { steps, queries };
}

/**
 * What a rolling limit needs its window to fall to for this request to fit; null for fixed
 * windows (they reset whole), limits of 0 and requests the limit can never hold.
 */
function releaseNeedFor(limit: UsageLimit, request: QuotaRequest): ReleaseNeed | null {
  const facts = factsOf(limit);
  if (!facts.rolling) return null;
  const max = facts.max!;
  const amount = requestOf(limit.limitType, request);
  if (max <= 0n || amount > max) return null;
  return { type: limit.limitType, ceiling: max - amount, unit: limit.intervalUnit, intervalValue: limit.intervalValue };
}

/**
 * The walk of a check (docs/behaviour.md): applicable limits, most specific first, up to and including
 * the first unlimited (-1) one, which allows the call outright; one usage query per window.
 */
export function planQuota(limits: readonly UsageLimit[], request: QuotaRequest, now: Date): QuotaPlan {
  let memo = orderedLimits.get(limits);
  if (memo === undefined || memo.source.length !== limits.length || memo.source.some((limit, i) => limit !== limits[i])) {
    memo = { source: [...limits], ordered: orderBySpecificity(limits) };
    orderedLimits.set(limits, memo);
  }
  return planFor(memo.ordered, request, now, true);
}

// The specificity order of a list of limits: callers pass the same cached list check after
// check; the copy of it detects a list changed in place.
const orderedLimits = new WeakMap<readonly UsageLimit[], { readonly source: readonly UsageLimit[]; readonly ordered: readonly UsageLimit[] }>();

/** Usage of a limit's type, in nano-dollars for cost. */
const currentOf = usageOfType;

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
 * The bounds under which `evaluateQuota(plan, usage, request, now)` allows the request, for any
 * usage: it allows exactly when every bound holds. A store may so decide where it sums (in the
 * same statement), and fall back to `evaluateQuota` when a bound fails. Null when the plan has a
 * limit no usage can satisfy (a negative maximum other than -1), which a bound cannot express.
 */
export function admissionBounds(plan: QuotaPlan, request: QuotaRequest): AdmissionBound[] | null {
  const bounds: AdmissionBound[] = [];
  for (const step of plan.steps) {
    if (step.query === null) break;
    const { limit } = step;
    if (limit.maxValue < 0) return null;
    bounds.push({ query: step.query, type: limit.limitType, ceiling: factsOf(limit).max! - requestOf(limit.limitType, request) });
  }
  return bounds;
}

/** When one denying limit lets the request through: `never`, or an instant (null: right away) and the seconds to wait. */
type LimitWait = { readonly never: true } | { readonly never: false; readonly at: Date | null; readonly seconds: number };

const NEVER: LimitWait = { never: true };

/** How long a denying step keeps denying this request, assuming no new usage. */
function waitFor(step: QuotaStep, sums: QuotaUsage, amount: bigint, now: Date): LimitWait {
  const { limit } = step;
  const max = maxOf(limit)!;
  // No window will ever hold a request larger than the limit: a retry time would send a
  // well-behaved caller back to be denied again, forever. (A limit of 0 keeps the original's
  // retry time: it is a switch an operator turns back on, so callers keep the original's values.)
  if (max > 0n && amount > max) return NEVER;
  if (!isRolling(limit.intervalUnit)) {
    const reset = windowReset(now, limit.intervalUnit, limit.intervalValue)!;
    return { never: false, at: reset, seconds: Math.max(0, Math.trunc((reset.getTime() - now.getTime()) / 1000)) };
  }
  const released = step.release === undefined ? undefined : sums.releasedAt?.[step.release];
  // The store says when enough rows (and reservations) have left the window for the request to fit.
  // A store that does not (an older custom one), and limits of 0, fall back to the oldest
  // row's exit: the earliest anything can change, possibly too early.
  const at = released ?? (sums.oldest ? rollingRetryAt(sums.oldest, limit.intervalUnit, limit.intervalValue) : null);
  if (at === null) return { never: false, at: null, seconds: 0 };
  return { never: false, at, seconds: Math.max(1, Math.ceil((at.getTime() - now.getTime()) / 1000)) };
}

/**
 * Decides a planned check from the sums (docs/behaviour.md): the first limit whose usage plus the request
 * would exceed its maximum denies; reaching it exactly is allowed. Money is compared exactly.
 * The retry time is the latest at which any denying limit of the plan lets the request through
 * (null when one never will): usage only leaves windows, so then every one of them fits.
 */
export function evaluateQuota(plan: QuotaPlan, usage: readonly QuotaUsage[], request: QuotaRequest, now: Date): QuotaDecision {
  let denial: { limit: UsageLimit; reason: string } | null = null;
  let wait: LimitWait = { never: false, at: null, seconds: 0 };
  for (const step of plan.steps) {
    if (step.query === null) break;
    const { limit } = step;
    const sums = usage[step.query]!;
    const current = currentOf(limit.limitType, sums);
    const amount = requestOf(limit.limitType, request);
    // A negative max other than -1 can only come from a hand-written row; like the original, it denies.
    if (limit.maxValue >= 0 && current + amount <= factsOf(limit).max!) continue;
    denial ??= { limit, reason: denialMessage(limit, display(limit.limitType, current), display(limit.limitType, amount)) };
    wait = later(wait, waitFor(step, sums, amount, now));
  }
  if (denial === null) return ALLOWED;
  if (wait.never) return { allowed: false, reason: denial.reason, retryAfterSeconds: null, limit: denial.limit, resetAt: null };
  return { allowed: false, reason: denial.reason, retryAfterSeconds: wait.seconds, limit: denial.limit, resetAt: wait.at };
}

/** The later of two waits; `never` wins. */
function later(a: LimitWait, b: LimitWait): LimitWait {
  if (a.never || b.never) return NEVER;
  if (a.at === null) return b.at === null ? (a.seconds >= b.seconds ? a : b) : b;
  if (b.at === null) return a;
  return b.at.getTime() > a.at.getTime() ? b : a;
}

/** How much of a limit's current window is left. */
export interface LimitRemaining {
  readonly limit: UsageLimit;
  /** USD for cost limits, a count otherwise; Infinity for unlimited (-1) limits. */
  readonly remaining: number;
}

/** Every applicable limit in the given order (no sorting, no -1 short-cut, unlike a check) and its queries. */
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
  /** Burn rate and projection (null for unlimited limits, or when no rate sums were given). */
  readonly forecast: UsageForecast | null;
}

/** The window queries of every limit, regardless of any request (for dashboards and reports). */
export function planStatus(limits: readonly UsageLimit[], now: Date): UsageQuery[] {
  return limits.map((limit) => ({
    filter: usageFilterFor(limit),
    start: windowStart(now, limit.intervalUnit, limit.intervalValue),
    end: now,
    ...(isRolling(limit.intervalUnit) ? { needsOldest: true } : {}),
  }));
}

/** Status of each limit from the sums of `planStatus`, in the same order; with the sums of `planForecast`, forecasts too. */
export function statusFromUsage(limits: readonly UsageLimit[], usage: readonly QuotaUsage[], now: Date, rates?: readonly QuotaUsage[]): LimitStatus[] {
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
    const used = display(limit.limitType, current);
    const forecast = rates ? forecastOfLimit(limit, used, rates[2 * i]!, rates[2 * i + 1]!, now) : null;
    return { limit, used, remaining, resetAt, forecast };
  });
}
