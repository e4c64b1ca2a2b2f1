import { nanosToUsd, type GroupUsageTotals, type LimitStatus } from "@llm-accounting/core";
import { Counter, Gauge, Registry } from "prom-client";
import type { BrokenDownBy, UsageBreakdown, UsageSnapshot } from "./usage-snapshot.js";

/** The label (and metric name part) of each breakdown. */
const LABEL: Record<BrokenDownBy, string> = { model: "model", project: "project", username: "user", callerName: "caller" };

/**
 * Token kinds as stored: `input` counts every prompt token (cache reads included), `output` every
 * completion token (reasoning included); `cache_read` and `reasoning` are the parts already
 * inside them, so adding all four counts those twice.
 */
const TOKEN_KINDS = [
  ["input", (t: GroupUsageTotals) => t.promptTokens],
  ["output", (t: GroupUsageTotals) => t.completionTokens],
  ["cache_read", (t: GroupUsageTotals) => t.cachedTokens],
  ["reasoning", (t: GroupUsageTotals) => t.reasoningTokens],
] as const;

const LIMIT_LABELS = ["limit_id", "scope", "type", "interval_unit", "interval_value", "model", "user", "caller", "project"] as const;

/**
 * The Prometheus metric families of one scrape, in a registry of their own (pure: no store, no
 * HTTP). Usage counters are totals since the first stored record, per value of each breakdown;
 * a record without a value (no project, ...) is the series whose label is empty.
 */
export function metricsRegistry(snapshot: UsageSnapshot): Registry {
  const registry = new Registry();
  for (const breakdown of snapshot.breakdowns) addUsageFamilies(registry, breakdown);
  addLimitFamilies(registry, snapshot.limits);
  return registry;
}

/** The scrape as Prometheus text (exposition format 0.0.4) and its content type. */
export async function metricsText(snapshot: UsageSnapshot): Promise<{ readonly contentType: string; readonly body: string }> {
  const registry = metricsRegistry(snapshot);
  return { contentType: registry.contentType, body: await registry.metrics() };
}

function addUsageFamilies(registry: Registry, { dimension, groups }: UsageBreakdown): void {
  const label = LABEL[dimension];
  const registers = [registry];
  const requests = new Counter({ name: `llm_accounting_${label}_requests_total`, help: `Model calls recorded, per ${label}, since the first record.`, labelNames: [label], registers });
  const tokens = new Counter({
    name: `llm_accounting_${label}_tokens_total`,
    help: `Tokens recorded, per ${label} and kind (input includes cache_read; output includes reasoning).`,
    labelNames: [label, "kind"],
    registers,
  });
  const cost = new Counter({ name: `llm_accounting_${label}_cost_usd_total`, help: `Cost recorded in USD, per ${label}, since the first record.`, labelNames: [label], registers });
  for (const group of groups) {
    const key = { [label]: group.key ?? "" };
    requests.inc(key, group.requests);
    for (const [kind, count] of TOKEN_KINDS) tokens.inc({ ...key, kind }, count(group));
    cost.inc(key, nanosToUsd(group.costNanos));
  }
}

function addLimitFamilies(registry: Registry, limits: readonly LimitStatus[]): void {
  const registers = [registry];
  const gauge = (name: string, help: string) => new Gauge({ name: `llm_accounting_limit_${name}`, help, labelNames: LIMIT_LABELS, registers });
  const used = gauge("used", "Used in the limit's current window (USD for cost limits, else a count).");
  const max = gauge("max", "The limit's maximum per window (+Inf: unlimited; 0: denies every call).");
  const remaining = gauge("remaining", "Left in the limit's current window (+Inf: unlimited).");
  const ratio = gauge("used_ratio", "used / max (1 for a limit of 0; 0 for an unlimited one); 1 or more means calls are refused.");
  const projected = gauge("projected", "Usage expected at the end of the window at the current burn rate (a rolling window: in one window); absent for unlimited limits.");
  const burnRate = gauge("burn_rate_per_hour", "Usage per hour: half the last hour's, half the last day's hourly mean; absent for unlimited limits.");
  const reachedAt = gauge("reached_at_seconds", "Unix time at which the limit is reached at the current rate, when within the window.");
  for (const status of limits) {
    const labels = limitLabels(status);
    const { maxValue } = status.limit;
    used.set(labels, status.used);
    max.set(labels, maxValue < 0 ? Number.POSITIVE_INFINITY : maxValue);
    remaining.set(labels, status.remaining);
    ratio.set(labels, usedRatio(status.used, maxValue));
    if (status.forecast) {
      projected.set(labels, status.forecast.projectedUsage);
      burnRate.set(labels, status.forecast.burnRatePerHour);
      if (status.forecast.limitReachedAt) reachedAt.set(labels, status.forecast.limitReachedAt.getTime() / 1000);
    }
  }
}

/** How full a limit is: used / max, with the two special maxima made explicit. */
export function usedRatio(used: number, maxValue: number): number {
  if (maxValue < 0) return 0;
  if (maxValue === 0) return 1;
  return used / maxValue;
}

function limitLabels({ limit }: LimitStatus): Record<(typeof LIMIT_LABELS)[number], string> {
  return {
    limit_id: String(limit.id),
    scope: limit.scope,
    type: limit.limitType,
    interval_unit: limit.intervalUnit,
    interval_value: String(limit.intervalValue),
    model: limit.model ?? "",
    user: limit.username ?? "",
    caller: limit.callerName ?? "",
    project: limit.projectName ?? "",
  };
}
