import { nanosToUsd } from "../money.js";
import { usageFilterFor } from "./applicable.js";
import { forecastUsage, type UsageForecast } from "./forecast.js";
import type { UsageLimit } from "../store/limit-records.js";
import type { QuotaUsage, UsageQuery } from "../store/quota-usage.js";
import { usageOfType } from "./release.js";
import { isRolling, windowReset, windowStart } from "./window.js";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** A limit's usage in its unit: USD for cost, a count otherwise. */
export const usageAmount = (limit: UsageLimit, sums: QuotaUsage): number => {
  const amount = usageOfType(limit.limitType, sums);
  return limit.limitType === "cost" ? nanosToUsd(amount) : Number(amount);
};

/** The queries a forecast of each limit needs, two per limit in order: its filter over the last hour, then the last day. */
export function planForecast(limits: readonly UsageLimit[], now: Date): UsageQuery[] {
  return limits.flatMap((limit) => {
    const filter = usageFilterFor(limit);
    return [
      { filter, start: new Date(now.getTime() - HOUR_MS), end: now },
      { filter, start: new Date(now.getTime() - DAY_MS), end: now },
    ];
  });
}

/** The forecast of one limit from its window usage and its two `planForecast` sums; null when unlimited (-1). */
export function forecastOfLimit(limit: UsageLimit, used: number, lastHour: QuotaUsage, lastDay: QuotaUsage, now: Date): UsageForecast | null {
  if (limit.maxValue === -1) return null;
  const rolling = isRolling(limit.intervalUnit);
  return forecastUsage({
    now,
    windowEnd: rolling ? null : windowReset(now, limit.intervalUnit, limit.intervalValue),
    rollingWindowMs: rolling ? now.getTime() - windowStart(now, limit.intervalUnit, limit.intervalValue).getTime() : 0,
    used,
    lastHour: usageAmount(limit, lastHour),
    lastDay: usageAmount(limit, lastDay),
    maxValue: limit.maxValue,
  });
}

/** Forecasts of each limit from the sums of `planForecast` (same order) and each limit's window usage. */
export function forecastsFromUsage(limits: readonly UsageLimit[], used: readonly number[], rates: readonly QuotaUsage[], now: Date): (UsageForecast | null)[] {
  return limits.map((limit, i) => forecastOfLimit(limit, used[i]!, rates[2 * i]!, rates[2 * i + 1]!, now));
}

/** The JSON form of a forecast (dates as ISO-8601 text). */
export interface UsageForecastJson {
  readonly burnRatePerHour: number;
  readonly projectedUsage: number;
  readonly limitReachedAt: string | null;
}

/** A forecast as JSON-ready data. */
export function usageForecastJson(forecast: UsageForecast): UsageForecastJson {
  return { burnRatePerHour: forecast.burnRatePerHour, projectedUsage: forecast.projectedUsage, limitReachedAt: forecast.limitReachedAt?.toISOString() ?? null };
}
