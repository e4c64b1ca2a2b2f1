import { ConflictError } from "../errors.js";
import { admissionBounds, ALLOWED, evaluateQuota, isLimitApplicable, planQuota, type QuotaDecision, type QuotaPlan } from "../quota/index.js";
import type { UsageLimit } from "../store/limit-records.js";
import type { QuotaRequest } from "../quota/quota-request.js";
import type { GuardedAdmission, GuardedWrite, NewQuotaRejection } from "../store/quota-records.js";
import type { NewUsageRecord } from "../store/usage-record.js";
import { pricedUsageOf, quoteUsage } from "../pricing/price-record.js";
import { normalizeUsage } from "../usage/normalize-usage.js";
import type { FacadeState } from "./facade-state.js";
import { usageToPrice, type QuotaCheckInput } from "./quota-inputs.js";
import { unpricedRefusal } from "./unpriced-policy.js";

const FAR_FUTURE = new Date("9999-12-31T23:59:59.999Z");

/** Thrown inside a guarded write to abandon it (nothing written) when the limits changed. */
class StaleLimits extends Error {}

/** A request's cost check: the request (priced when possible) and the refusal a cost limit makes when it could not be priced. */
export interface PricedRequest {
  readonly request: QuotaRequest;
  readonly refuse: (limits: readonly UsageLimit[]) => QuotaDecision | null;
}

/**
 * Checks the limits and writes (the usage, a reservation, or a rejection when denied) as one
 * atomic step of the store, deciding again when the limits change while it waits for the lock.
 */
export async function guardedWrite(
  state: FacadeState,
  request: QuotaRequest,
  session: string | null,
  refuse: (limits: readonly UsageLimit[]) => QuotaDecision | null,
  write: (now: Date, latestWindowStart: Date | null) => GuardedWrite,
): Promise<{ decision: QuotaDecision; id: number | null }> {
  for (let attempt = 1; ; attempt++) {
    // The store reads the limits version under the lock and the step refuses a stale one, so
    // the first attempt may use the limits already held; a retry reads them again.
    const { limits, version } = (attempt === 1 ? state.limits.peek() : undefined) ?? (await state.limits.versioned());
    const lockKeys = limits.filter((limit) => isLimitApplicable(limit, request)).map((limit) => limit.id);
    try {
      const outcome = await state.store.guardedWrite(lockKeys, state.now, (now, limitsVersion) => {
        // Limits changed between reading them and taking the lock: decide again on the new ones.
        if (limitsVersion !== version) throw new StaleLimits();
        // Decided on the limits the lock covers, so a cost limit added meanwhile is seen.
        const refusal = refuse(limits);
        if (refusal) return { queries: [], decide: () => ({ result: refusal, write: session ? { kind: "rejection", rejection: rejectionOf(session, refusal, now) } : { kind: "none" } }) };
        // Windows end at the far future here: a row another writer committed while we waited, or
        // one stamped by a host whose clock runs ahead, must still count against the budget.
        const plan = planQuota(limits, request, now);
        const queries = plan.queries.map((q) => ({ ...q, end: FAR_FUTURE }));
        const admission = admissionOf(plan, request, () => write(now, latestStart(queries)));
        return {
          queries,
          decide: (usage) => {
            const decision = evaluateQuota(plan, usage, request, now);
            if (decision.allowed) return { result: decision, write: admission?.write ?? write(now, latestStart(queries)) };
            return { result: decision, write: session ? { kind: "rejection", rejection: rejectionOf(session, decision, now) } : { kind: "none" } };
          },
          ...(admission && { admission }),
        };
      });
      return { decision: outcome.result, id: outcome.id };
    } catch (error) {
      if (!(error instanceof StaleLimits)) throw error;
      // Never decide on a stale set (on PostgreSQL a new limit's lock would be missing too).
      if (attempt >= 5) throw new ConflictError("the usage limits changed during each of 5 attempts to check them; try again");
    }
  }
}

/** The usage a check without a cost stands for (validated before any store is opened); null when a cost was given. */
export function usageToPriceRecord(state: FacadeState, input: QuotaCheckInput, request: QuotaRequest): NewUsageRecord | null {
  if (input.cost != null) return null;
  return normalizeUsage(usageToPrice(input, request), state.defaults, state.now());
}

/**
 * The request with its cost priced from the tokens exactly as `trackUsage` would price them,
 * and the refusal to apply when that is impossible and a cost limit applies (fail closed).
 */
export async function pricedRequest(state: FacadeState, input: QuotaCheckInput, request: QuotaRequest, toPrice: NewUsageRecord | null): Promise<PricedRequest> {
  const never = () => null;
  if (toPrice === null) return { request, refuse: never };
  // No tokens cost nothing at any price: a bare check never needs a price to exist.
  if (toPrice.promptTokens === 0 && toPrice.completionTokens === 0) return { request, refuse: never };
  await state.pricer?.ready?.();
  const quote = quoteUsage(pricedUsageOf(toPrice), await state.prices.current(), state.pricer);
  if (quote?.priced) return { request: { ...request, costNanos: quote.costNanos }, refuse: never };
  if (input.allowUnpriced) return { request, refuse: never };
  const why = quote ? quote.reason : `no price for model '${request.model}' (no stored price and no pricer)`;
  return { request, refuse: (limits) => unpricedRefusal(limits, request, why) };
}

/** The quota rejection a denied call of this session records. */
export function rejectionOf(session: string, decision: QuotaDecision, now: Date): NewQuotaRejection {
  return { session, createdAt: now, message: decision.reason ?? "quota exceeded" };
}

/**
 * The allowed decision of a guarded step stated as bounds a store can check where it sums; none
 * when the plan cannot be bounded or the write refuses (it then throws only if the call is allowed).
 */
function admissionOf(plan: QuotaPlan, request: QuotaRequest, write: () => GuardedWrite): GuardedAdmission<QuotaDecision> | null {
  const bounds = admissionBounds(plan, request);
  if (bounds === null) return null;
  try {
    return { bounds, result: ALLOWED, write: write() };
  } catch {
    return null;
  }
}

/** The start of the shortest window checked (null when no limit applies). */
function latestStart(queries: readonly { readonly start: Date }[]): Date | null {
  let latest: Date | null = null;
  for (const query of queries) if (latest === null || query.start.getTime() > latest.getTime()) latest = query.start;
  return latest;
}
