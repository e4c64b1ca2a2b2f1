import { alertJson, nanosToUsd, usageRecordJson, type AlertJson, type GroupUsageTotals, type LimitStatus, type UsageRecord, type TagBreakdownFilter, type UsageRecordJson, type UsageStats, type StoredAlert } from "@llm-accounting/core";
import { usedRatio } from "../metric-families.js";
import type { ApiRange } from "./query-params.js";

// Pure functions: facade results in, the JSON bodies of /api/v1 out. Money is `cost` in USD (a
// number, for charts) beside `costNanos`, the exact sum as a decimal string, as the CLI's
// --format json writes it.

/** The range and filter an answer covers, echoed so a client sees what defaults were applied. */
export interface ScopeJson {
  readonly range: { readonly since: string; readonly until: string; readonly timezone: string };
  readonly filter: { readonly model: string | null; readonly user: string | null; readonly project: string | null; readonly caller: string | null; readonly tier: string | null; readonly tags: Readonly<Record<string, string>> };
}

/** Requests, tokens and cost of a set of calls. */
export interface TotalsJson {
  readonly requests: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly totalTokens: number;
  readonly cachedTokens: number;
  readonly reasoningTokens: number;
  readonly cost: number;
  readonly costNanos: string;
}

/** The range and filter as the answers echo them. */
export function scopeJson(range: ApiRange, filter: TagBreakdownFilter): ScopeJson {
  return {
    range: { since: range.since.toISOString(), until: range.until.toISOString(), timezone: range.timezone },
    filter: { model: filter.model ?? null, user: filter.username ?? null, project: filter.project ?? null, caller: filter.callerName ?? null, tier: filter.serviceTier ?? null, tags: { ...filter.tags } },
  };
}

/** The totals of period stats (the facade's `getPeriodStats`). */
export function statsTotalsJson(stats: UsageStats): TotalsJson {
  return {
    requests: stats.requests,
    promptTokens: stats.sumPromptTokens,
    completionTokens: stats.sumCompletionTokens,
    totalTokens: stats.sumTotalTokens,
    cachedTokens: stats.sumCachedTokens,
    reasoningTokens: stats.sumReasoningTokens,
    cost: stats.sumCost,
    costNanos: stats.sumCostNanos.toString(),
  };
}

/** `GET /api/v1/summary`. */
export function summaryJson(range: ApiRange, filter: TagBreakdownFilter, stats: UsageStats): ScopeJson & { readonly totals: TotalsJson } {
  return { ...scopeJson(range, filter), totals: statsTotalsJson(stats) };
}

/** `GET /api/v1/cost/daily`: one entry per day of the range, empty days included (a chart needs them). */
export function dailyJson(range: ApiRange, filter: TagBreakdownFilter, days: readonly { readonly day: string; readonly stats: UsageStats }[]): ScopeJson & { readonly days: (TotalsJson & { readonly day: string })[] } {
  return { ...scopeJson(range, filter), days: days.map(({ day, stats }) => ({ day, ...statsTotalsJson(stats) })) };
}

/** `GET /api/v1/breakdown/{dimension}`: one entry per value (`key` null: calls without one), costliest first. */
export function breakdownJson(range: ApiRange, filter: TagBreakdownFilter, by: string, groups: readonly GroupUsageTotals[]): ScopeJson & { readonly by: string; readonly groups: (TotalsJson & { readonly key: string | null })[] } {
  const sorted = [...groups].sort((a, b) => (a.costNanos === b.costNanos ? b.requests - a.requests : a.costNanos < b.costNanos ? 1 : -1));
  return {
    ...scopeJson(range, filter),
    by,
    groups: sorted.map((g) => ({
      key: g.key,
      requests: g.requests,
      promptTokens: g.promptTokens,
      completionTokens: g.completionTokens,
      totalTokens: g.totalTokens,
      cachedTokens: g.cachedTokens,
      reasoningTokens: g.reasoningTokens,
      cost: nanosToUsd(g.costNanos),
      costNanos: g.costNanos.toString(),
    })),
  };
}

/** `GET /api/v1/recent`: the calls newest first, each as `tail --format json` prints it. */
export function recentJson(records: readonly UsageRecord[]): { readonly calls: UsageRecordJson[] } {
  return { calls: records.map(usageRecordJson) };
}

/** One limit with its usage in the current window and its forecast. */
export interface LimitJson {
  readonly id: number;
  readonly scope: string;
  readonly limitType: string;
  /** USD for cost limits, else a count; -1: unlimited, 0: denies every call. */
  readonly maxValue: number;
  readonly interval: { readonly unit: string; readonly value: number };
  readonly model: string | null;
  readonly user: string | null;
  readonly project: string | null;
  readonly caller: string | null;
  /** TAG limits: the tag they are about (value `*`: every value of the key, pooled); null otherwise. */
  readonly tag: { readonly key: string; readonly value: string } | null;
  readonly used: number;
  /** null for an unlimited limit (JSON has no Infinity). */
  readonly remaining: number | null;
  readonly usedRatio: number;
  readonly resetAt: string | null;
  readonly forecast: { readonly burnRatePerHour: number; readonly projectedUsage: number; readonly limitReachedAt: string | null } | null;
}

/** `GET /api/v1/limits`: every limit, as `getLimitStatus` reports it. */
export function limitsJson(statuses: readonly LimitStatus[]): { readonly limits: LimitJson[] } {
  return {
    limits: statuses.map(({ limit, used, remaining, resetAt, forecast }) => ({
      id: limit.id,
      scope: limit.scope,
      limitType: limit.limitType,
      maxValue: limit.maxValue,
      interval: { unit: limit.intervalUnit, value: limit.intervalValue },
      model: limit.model,
      user: limit.username,
      project: limit.projectName,
      caller: limit.callerName,
      tag: limit.tag ? { key: limit.tag.key, value: limit.tag.value } : null,
      used,
      remaining: Number.isFinite(remaining) ? remaining : null,
      usedRatio: usedRatio(used, limit.maxValue),
      resetAt: resetAt?.toISOString() ?? null,
      forecast: forecast && { burnRatePerHour: forecast.burnRatePerHour, projectedUsage: forecast.projectedUsage, limitReachedAt: forecast.limitReachedAt?.toISOString() ?? null },
    })),
  };
}

/** `GET /api/v1/alerts`: newest first, each as `alerts list --format json` prints it. */
export function alertsJson(alerts: readonly StoredAlert[]): { readonly alerts: AlertJson[] } {
  return { alerts: alerts.map(alertJson) };
}
