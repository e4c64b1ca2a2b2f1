import { evaluateQuota, forecastOfLimit, isLimitApplicable, planForecast, planQuota, planRemaining, planStatus, remainingFromUsage, statusFromUsage, usageAmount, type LimitStatus, type QuotaDecision } from "../quota/index.js";
import { currentUsageContext } from "../context/usage-context.js";
import type { FacadeState } from "./facade-state.js";
import { pricedRequest, rejectionOf, usageToPriceRecord } from "./guarded-write.js";
import { checkRequestOf, type QuotaCheckInput, type RemainingLimit } from "./quota-inputs.js";

/** Would this call be allowed now? Records nothing, except a quota rejection when denied and `session` is set. */
export async function checkQuota(state: FacadeState, input: QuotaCheckInput): Promise<QuotaDecision> {
  const { request: unpricedRequest, session } = checkRequestOf(input, state.defaults, currentUsageContext());
  const toPrice = usageToPriceRecord(state, input, unpricedRequest);
  const now = state.now();
  await state.open();
  await state.names.check(unpricedRequest.projectName, unpricedRequest.username);
  // A store that returns the limits version with the sums lets the check plan with the limits
  // it already holds (one round trip on a server); a changed version plans again.
  const versionedSums = state.store.sumQuotaUsageVersioned?.bind(state.store);
  for (let attempt = 1; ; attempt++) {
    const held = versionedSums && attempt === 1 ? state.limits.peek() : undefined;
    const { limits, version } = held ?? (await state.limits.versioned());
    // Only a cost limit reads the price: without one the decision is the same priced or not, so
    // nothing is priced (a CLI check then never loads the pricing catalog).
    const costLimitApplies = limits.some((limit) => limit.limitType === "cost" && isLimitApplicable(limit, unpricedRequest));
    const { request, refuse } = costLimitApplies ? await pricedRequest(state, input, unpricedRequest, toPrice) : { request: unpricedRequest, refuse: () => null };
    const plan = planQuota(limits, request, now);
    let decision = refuse(limits);
    // A refusal reads no sums, so nothing confirmed the limits held: read them and decide again.
    if (decision && held) continue;
    if (!decision) {
      const sums = versionedSums ? await versionedSums(plan.queries, now) : { usage: await state.store.sumQuotaUsage(plan.queries, now), limitsVersion: version };
      if (sums.limitsVersion !== version && attempt < 5) continue;
      decision = evaluateQuota(plan, sums.usage, request, now);
    }
    if (!decision.allowed && session) await state.store.insertRejection(rejectionOf(session, decision, now));
    return decision;
  }
}

/** How much of every limit that applies to this call is left in its current window. */
export async function getRemainingLimits(state: FacadeState, input: QuotaCheckInput): Promise<RemainingLimit[]> {
  const { request } = checkRequestOf(input, state.defaults, currentUsageContext());
  const now = state.now();
  await state.open();
  const plan = planRemaining(await state.limits.current(), request, now);
  const limits = plan.steps.map((step) => step.limit);
  // One store call for the windows and the rate sums of the forecasts.
  const sums = await state.store.sumQuotaUsage([...plan.queries, ...planForecast(limits, now)], now);
  const rates = sums.slice(plan.queries.length);
  return remainingFromUsage(plan, sums).map((remaining, i) => {
    const query = plan.steps[i]!.query;
    const forecast = query === null ? null : forecastOfLimit(remaining.limit, usageAmount(remaining.limit, sums[query]!), rates[2 * i]!, rates[2 * i + 1]!, now);
    return { ...remaining, forecast };
  });
}

/** Every limit with its usage in the current window, what is left, and when it resets. */
export async function getLimitStatus(state: FacadeState): Promise<LimitStatus[]> {
  const now = state.now();
  await state.open();
  const limits = await state.limits.current();
  const windows = planStatus(limits, now);
  const sums = await state.store.sumQuotaUsage([...windows, ...planForecast(limits, now)], now);
  return statusFromUsage(limits, sums.slice(0, windows.length), now, sums.slice(windows.length));
}
