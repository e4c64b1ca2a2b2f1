import { nanosToUsd } from "../money.js";
import type { ModelUsageTotals } from "../store/usage-totals.js";

/** One model's place in a ranking. */
export interface RankedModel {
  readonly model: string;
  readonly value: number;
}

/** Models ranked by each metric, highest first (ties by model name). */
export interface ModelRankings {
  readonly promptTokens: readonly RankedModel[];
  readonly completionTokens: readonly RankedModel[];
  readonly totalTokens: readonly RankedModel[];
  readonly cost: readonly RankedModel[];
  readonly executionTime: readonly RankedModel[];
}

/** Ranks models by prompt, completion and total tokens, cost and execution time. */
export function rankModels(perModel: readonly ModelUsageTotals[]): ModelRankings {
  const rank = (value: (t: ModelUsageTotals) => number): RankedModel[] =>
    perModel
      .map((t) => ({ model: t.model, value: value(t) }))
      .sort((a, b) => b.value - a.value || (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
  return {
    promptTokens: rank((t) => t.promptTokens),
    completionTokens: rank((t) => t.completionTokens),
    totalTokens: rank((t) => t.totalTokens),
    cost: rank((t) => nanosToUsd(t.costNanos)),
    executionTime: rank((t) => t.executionTime),
  };
}
