import { isLimitApplicable } from "../quota/applicable.js";
import type { QuotaDecision } from "../quota/quota-decision.js";
import type { UsageLimit } from "../store/limit-records.js";
import type { QuotaRequest } from "../quota/quota-request.js";
import { scopeText } from "../quota/message.js";

/**
 * The refusal of a call whose cost could not be priced while a cost limit (not unlimited) applies
 * to it: counting it as 0 would let it through any budget, so a check fails closed. Null when no
 * such limit applies. `whyUnpriced` says what was missing (e.g. "no price for model 'x'").
 */
export function unpricedRefusal(limits: readonly UsageLimit[], request: QuotaRequest, whyUnpriced: string): QuotaDecision | null {
  const limit = limits.find((candidate) => candidate.limitType === "cost" && candidate.maxValue >= 0 && isLimitApplicable(candidate, request));
  if (!limit) return null;
  const reason =
    `${scopeText(limit)} limit: cost per ${limit.intervalValue} ${limit.intervalUnit} cannot be checked: ${whyUnpriced}, so the call's cost is unknown. ` +
    `Give its cost, store a price for the model, or allow unpriced calls.`;
  return { allowed: false, reason, retryAfterSeconds: null, limit, resetAt: null };
}
