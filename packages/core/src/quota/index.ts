export { genericity, isLimitApplicable, orderBySpecificity, usageFilterFor, usageFilterMatches, type FilterableUsage } from "./applicable.js";
export {
  admissionBounds,
  evaluateQuota,
  planQuota,
  planRemaining,
  planStatus,
  remainingFromUsage,
  statusFromUsage,
  type LimitStatus,
  type LimitRemaining,
  type QuotaPlan,
  type QuotaStep,
} from "./evaluate.js";
export { ALLOWED, type QuotaDecision } from "./quota-decision.js";
export type { QuotaRequest } from "./quota-request.js";
// The limit and usage-sum types are the store contract's (src/store); quota math is about them.
export { INTERVAL_UNITS, LIMIT_SCOPES, LIMIT_TYPES, type IntervalUnit, type LimitScope, type LimitTag, type LimitType, type NewUsageLimit, type UsageLimit } from "../store/limit-records.js";
export type { AdmissionBound, QuotaUsage, ReleaseNeed, UsageFilter, UsageQuery } from "../store/quota-usage.js";
export { denialMessage, formatFixed2, formatUsd, scopeText } from "./message.js";
export {
  amountOfType,
  exceededReleases,
  heldAmountOf,
  releaseAtFromRows,
  releaseInstant,
  releaseSteps,
  rowsReachingAt,
  usageOfType,
  withReleases,
  type CountedAmount,
  type ExceededRelease,
  type HeldAmount,
  type HeldUsage,
  type ReleaseStep,
} from "./release.js";
export { validateLimit, type LimitInput } from "./validate-limit.js";
export { addMonthsUtc, checkInterval, isRolling, rollingExitAt, rollingRetryAt, windowReset, windowStart } from "./window.js";
export { burnRatePerHour, FORECAST_HOUR_WEIGHT, forecastUsage, type ForecastInput, type UsageForecast } from "./forecast.js";
export { forecastOfLimit, forecastsFromUsage, planForecast, usageAmount, usageForecastJson, type UsageForecastJson } from "./limit-forecast.js";
