export { genericity, isLimitApplicable, orderBySpecificity, usageFilterFor, usageFilterMatches, type FilterableUsage } from "./applicable.js";
export {
  evaluateQuota,
  planQuota,
  planRemaining,
  planStatus,
  remainingFromUsage,
  statusFromUsage,
  type LimitStatus,
  type LimitRemaining,
  type QuotaDecision,
  type QuotaPlan,
  type QuotaStep,
} from "./evaluate.js";
export * from "./limit.js";
export { denialMessage, formatFixed2, scopeText } from "./message.js";
export { validateLimit, type LimitInput } from "./validate-limit.js";
export { addMonthsUtc, checkInterval, isRolling, rollingRetryAt, windowReset, windowStart } from "./window.js";
