import { checkStorableName, type NormalizedTokens, type ReservedUsage } from "@llm-accounting/core";
import { countPromptTokens, countTextTokens } from "./local-tokens.js";

/** What a call asked for, as far as accounting cares. */
export interface CallRequest {
  /** The model the caller asked for. */
  readonly model: string;
  /** The messages or input, for local token counts. */
  readonly prompt: unknown;
  /** System prompt or instructions sent beside the prompt, if any. */
  readonly instructions?: unknown;
  /** The output token cap, 0 when none was given. */
  readonly maxOutputTokens: number;
  /** The service tier the request asked for, when it named one (the response's, if any, wins). */
  readonly serviceTier?: string;
}

/** What a call reported once done (or once it stopped). */
export interface CallOutcome {
  /** The model the provider says served the call. */
  readonly model?: string | null;
  /** The provider's usage, normalised; absent when it never arrived. */
  readonly tokens?: NormalizedTokens;
  /** The cost in USD the provider reported for the call (OpenRouter's `usage.cost`), recorded as `costSource: "provider"`. */
  readonly providerCost?: number;
  /** The service tier the provider says served the call (`standard` for OpenAI's `default`), when it says. */
  readonly serviceTier?: string;
  /** True when a stream stopped (or failed) before the provider's final usage. */
  readonly partial: boolean;
  /** The output text received, for local counts. */
  readonly completionText: () => string;
}

/**
 * The usage to record for a call. Complete calls record the provider's tokens. When the provider's
 * final usage never arrived (a stream stopped early, aborted or failed), what is known is recorded
 * and the rest estimated locally, so spend is not under-counted: reported prompt tokens, else the
 * local estimate; the larger of the reported and the locally counted output. Local counts are then
 * set too, and the record is marked `estimated`.
 */
export async function usageOf(request: CallRequest, outcome: CallOutcome, provider: string, executionTime: number, countLocal: boolean): Promise<ReservedUsage & { model: string }> {
  const model = storableModel(outcome.model) ?? request.model;
  const tokens = outcome.tokens;
  const estimated = tokens === undefined || outcome.partial;
  const local = countLocal || estimated ? await localCounts(model, request, outcome) : undefined;
  const promptTokens = tokens?.promptTokens ?? local?.prompt ?? 0;
  const completionTokens = estimated ? Math.max(tokens?.completionTokens ?? 0, local?.completion ?? 0) : (tokens?.completionTokens ?? 0);
  return {
    model,
    provider,
    promptTokens,
    completionTokens,
    cachedTokens: tokens?.cachedTokens ?? 0,
    cacheWriteTokens: tokens?.cacheWriteTokens ?? 0,
    cacheWrite1hTokens: tokens?.cacheWrite1hTokens ?? 0,
    reasoningTokens: tokens?.reasoningTokens ?? 0,
    executionTime,
    ...(local && { localPromptTokens: local.prompt, localCompletionTokens: local.completion }),
    ...(estimated && { estimated }),
    ...((outcome.serviceTier ?? request.serviceTier) !== undefined && { serviceTier: outcome.serviceTier ?? request.serviceTier }),
    // The provider's own figure is what it bills: it wins over a price of ours.
    ...(outcome.providerCost !== undefined && { cost: outcome.providerCost, costSource: "provider" as const }),
  };
}

async function localCounts(model: string, request: CallRequest, outcome: CallOutcome): Promise<{ prompt: number; completion: number }> {
  return {
    prompt: await countPromptTokens(model, request.prompt, request.instructions),
    completion: await countTextTokens(model, outcome.completionText()),
  };
}

/**
 * The provider's model name when every store can keep it, else null: a name from a response that
 * is too long or holds a NUL would get the call refused, losing its cost; the requested model
 * (the caller's own name, checked like any other) is recorded instead.
 */
export function storableModel(name: string | null | undefined): string | null {
  if (!name) return null;
  try {
    return checkStorableName(name, "model");
  } catch {
    return null;
  }
}
