import { withJsonForm, nanosJson, type JsonForm } from "../json/json-form.js";
import { nanosToUsd } from "../money.js";
import type { UsageTotals } from "../store/usage-totals.js";

/** Sums and per-request averages over a period; money in USD. */
export interface UsageStats {
  readonly requests: number;
  readonly sumPromptTokens: number;
  readonly sumCompletionTokens: number;
  readonly sumTotalTokens: number;
  readonly sumLocalPromptTokens: number;
  readonly sumLocalCompletionTokens: number;
  readonly sumLocalTotalTokens: number;
  readonly sumCachedTokens: number;
  readonly sumReasoningTokens: number;
  readonly sumCost: number;
  /** The exact cost sum in nano-dollars; `sumCost` is derived from it. */
  readonly sumCostNanos: bigint;
  readonly sumExecutionTime: number;
  readonly avgPromptTokens: number;
  readonly avgCompletionTokens: number;
  readonly avgTotalTokens: number;
  readonly avgLocalPromptTokens: number;
  readonly avgLocalCompletionTokens: number;
  readonly avgLocalTotalTokens: number;
  readonly avgCost: number;
  readonly avgExecutionTime: number;
}

/** Usage stats as JSON: the same fields, `sumCostNanos` exact as a decimal string. */
export type UsageStatsJson = Omit<UsageStats, "sumCostNanos"> & { readonly sumCostNanos: string };

/** Usage stats as the facade returns them: `JSON.stringify` writes their `UsageStatsJson` form. */
export type UsageStatsResult = UsageStats & JsonForm<UsageStatsJson>;

/** Usage stats of one model. */
export interface ModelStats {
  readonly model: string;
  readonly stats: UsageStatsResult;
}

/** The JSON form of usage stats. */
export function usageStatsJson(stats: UsageStats): UsageStatsJson {
  return { ...stats, sumCostNanos: nanosJson(stats.sumCostNanos) };
}

/** Derives sums and averages from store totals (averages are 0 over an empty set). */
export function statsFromTotals(totals: UsageTotals): UsageStatsResult {
  const n = totals.requests;
  const avg = (sum: number) => (n === 0 ? 0 : sum / n);
  return withJsonForm<UsageStats, UsageStatsJson>({
    requests: n,
    sumPromptTokens: totals.promptTokens,
    sumCompletionTokens: totals.completionTokens,
    sumTotalTokens: totals.totalTokens,
    sumLocalPromptTokens: totals.localPromptTokens,
    sumLocalCompletionTokens: totals.localCompletionTokens,
    sumLocalTotalTokens: totals.localTotalTokens,
    sumCachedTokens: totals.cachedTokens,
    sumReasoningTokens: totals.reasoningTokens,
    sumCost: nanosToUsd(totals.costNanos),
    sumCostNanos: totals.costNanos,
    sumExecutionTime: totals.executionTime,
    avgPromptTokens: avg(totals.promptTokens),
    avgCompletionTokens: avg(totals.completionTokens),
    avgTotalTokens: avg(totals.totalTokens),
    avgLocalPromptTokens: avg(totals.localPromptTokens),
    avgLocalCompletionTokens: avg(totals.localCompletionTokens),
    avgLocalTotalTokens: avg(totals.localTotalTokens),
    avgCost: n === 0 ? 0 : nanosToUsd(totals.costNanos) / n,
    avgExecutionTime: avg(totals.executionTime),
  }, usageStatsJson);
}
