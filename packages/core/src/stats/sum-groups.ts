import { EMPTY_TOTALS, type UsageTotals } from "../store/usage-totals.js";

/** Adds up groups (the totals of a report narrowed by tags). */
export function sumGroups(groups: readonly UsageTotals[]): UsageTotals {
  return groups.reduce<UsageTotals>((t, g) => ({
    requests: t.requests + g.requests,
    promptTokens: t.promptTokens + g.promptTokens,
    completionTokens: t.completionTokens + g.completionTokens,
    totalTokens: t.totalTokens + g.totalTokens,
    localPromptTokens: t.localPromptTokens + g.localPromptTokens,
    localCompletionTokens: t.localCompletionTokens + g.localCompletionTokens,
    localTotalTokens: t.localTotalTokens + g.localTotalTokens,
    cachedTokens: t.cachedTokens + g.cachedTokens,
    reasoningTokens: t.reasoningTokens + g.reasoningTokens,
    costNanos: t.costNanos + g.costNanos,
    executionTime: t.executionTime + g.executionTime,
  }), EMPTY_TOTALS);
}
