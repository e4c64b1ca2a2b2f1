import type { NormalizedTokens } from "@llm-accounting/core";
import { isObject } from "@llm-accounting/sdk-kit";
import type { ModelUsage } from "./model-types.js";

/**
 * Normalises the usage an AI SDK model reports. Its `inputTokens.total` already includes cache
 * reads and writes and `outputTokens.total` includes reasoning, which is llm-accounting's meaning
 * too; the parts are summed only when a provider leaves a total out.
 */
export function tokensFromModelUsage(usage: ModelUsage | undefined): NormalizedTokens {
  const input = usage?.inputTokens;
  const output = usage?.outputTokens;
  const cachedTokens = count(input?.cacheRead);
  const cacheWriteTokens = count(input?.cacheWrite);
  const reasoningTokens = count(output?.reasoning);
  const promptTokens = isCount(input?.total) ? input.total : count(input?.noCache) + cachedTokens + cacheWriteTokens;
  const completionTokens = isCount(output?.total) ? output.total : count(output?.text) + reasoningTokens;
  return {
    // A provider whose total left the cache out would otherwise fail validation and lose the call.
    promptTokens: Math.max(promptTokens, cachedTokens + cacheWriteTokens),
    completionTokens: Math.max(completionTokens, reasoningTokens),
    cachedTokens,
    cacheWriteTokens,
    reasoningTokens,
    ...oneHourWrites(usage?.raw, cacheWriteTokens),
  };
}

/**
 * The 1-hour part of the cache writes, from the provider's raw usage where it gives it (Anthropic's
 * `cache_creation.ephemeral_1h_input_tokens`); never more than the writes the SDK reported.
 */
function oneHourWrites(raw: unknown, cacheWriteTokens: number): { cacheWrite1hTokens?: number } {
  const split = isObject(raw) && isObject(raw.cache_creation) ? raw.cache_creation : undefined;
  const written1h = Math.min(count(split?.ephemeral_1h_input_tokens as number | undefined), cacheWriteTokens);
  return written1h > 0 ? { cacheWrite1hTokens: written1h } : {};
}

function isCount(value: number | undefined): value is number {
  return Number.isSafeInteger(value) && value! >= 0;
}

function count(value: number | undefined): number {
  return isCount(value) ? value : 0;
}
