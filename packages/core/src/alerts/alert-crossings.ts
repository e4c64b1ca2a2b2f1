import { usageFilterFor, usageFilterMatches, type FilterableUsage } from "../quota/applicable.js";
import { forecastOfLimit, planForecast, usageAmount } from "../quota/limit-forecast.js";
import type { UsageLimit } from "../store/limit-records.js";
import type { QuotaUsage, UsageFilter, UsageQuery } from "../store/quota-usage.js";
import { scopeText } from "../quota/message.js";
import type { NewAlert } from "../store/alert-records.js";
import { alertWindow, type AlertWindow } from "./alert-window.js";

/** A limit that carries alert thresholds, with the filter of the rows it counts. */
export interface AlertRule {
  readonly limit: UsageLimit;
  readonly filter: UsageFilter;
  readonly thresholds: readonly number[];
}

/** The limits that can raise alerts: those with thresholds and a maximum above 0 (0 is a switch, -1 unlimited). */
export function alertRulesOf(limits: readonly UsageLimit[]): AlertRule[] {
  return limits.filter((l) => (l.alertAt?.length ?? 0) > 0 && l.maxValue > 0).map((limit) => ({ limit, filter: usageFilterFor(limit), thresholds: limit.alertAt! }));
}

/** The rules whose filter counts at least one of the written rows: only those can have crossed. */
export function rulesMatching(rules: readonly AlertRule[], rows: readonly FilterableUsage[]): AlertRule[] {
  if (rules.length === 0) return [];
  return rules.filter((rule) => rows.some((row) => usageFilterMatches(rule.filter, row)));
}

/** What an alert check sums: each rule's current window (one query per rule, same order). */
export interface AlertCheckPlan {
  readonly rules: readonly AlertRule[];
  readonly windows: readonly AlertWindow[];
  readonly queries: readonly UsageQuery[];
}

/** The window query of each rule at `now`. */
export function planAlertCheck(rules: readonly AlertRule[], now: Date): AlertCheckPlan {
  const windows = rules.map((rule) => alertWindow(rule.limit, now));
  return { rules, windows, queries: rules.map((rule, i) => ({ filter: rule.filter, start: windows[i]!.start, end: now })) };
}

/** A threshold the window's usage has reached; an alert unless one exists for its key. */
export interface AlertCandidate {
  readonly rule: AlertRule;
  readonly threshold: number;
  readonly window: AlertWindow;
  readonly usage: number;
}

/** Every threshold at or below each rule's usage (usage >= threshold x maximum). */
export function alertCandidates(plan: AlertCheckPlan, usage: readonly QuotaUsage[]): AlertCandidate[] {
  const candidates: AlertCandidate[] = [];
  plan.rules.forEach((rule, i) => {
    const used = usageAmount(rule.limit, usage[i]!);
    for (const threshold of rule.thresholds) {
      if (used >= threshold * rule.limit.maxValue) candidates.push({ rule, threshold, window: plan.windows[i]!, usage: used });
    }
  });
  return candidates;
}

/** The rate queries of the candidates' forecasts (`planForecast` of their limits, in order). */
export const candidateRateQueries = (candidates: readonly AlertCandidate[], now: Date): UsageQuery[] => planForecast(candidates.map((c) => c.rule.limit), now);

/** The alerts to store for the candidates, with their projections from the sums of `candidateRateQueries`. */
export function alertsFromCandidates(candidates: readonly AlertCandidate[], rates: readonly QuotaUsage[], now: Date): NewAlert[] {
  return candidates.map((c, i) => {
    const { limit } = c.rule;
    const forecast = forecastOfLimit(limit, c.usage, rates[2 * i]!, rates[2 * i + 1]!, now);
    return {
      limitId: limit.id,
      threshold: c.threshold,
      windowKey: c.window.key,
      windowStart: c.window.start,
      windowEnd: c.window.end,
      limitType: limit.limitType,
      maxValue: limit.maxValue,
      intervalUnit: limit.intervalUnit,
      intervalValue: limit.intervalValue,
      scope: scopeText(limit),
      usage: c.usage,
      projectedUsage: forecast?.projectedUsage ?? c.usage,
      createdAt: now,
    };
  });
}
