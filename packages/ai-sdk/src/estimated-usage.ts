import type { NormalizedTokens } from "@llm-accounting/core";
import { countPromptTokens, countTextTokens } from "@llm-accounting/sdk-kit";
import type { ModelUsage } from "./model-types.js";
import { tokensFromModelUsage } from "./tokens-from-usage.js";

/** A call's tokens as recorded: the reported ones, with any the provider left out counted locally. */
export type RecordedTokens = NormalizedTokens & {
  /** True when a count is a local estimate rather than the provider's. */
  readonly estimated: boolean;
  readonly localPromptTokens?: number;
  readonly localCompletionTokens?: number;
};

/**
 * The tokens to record for a call whose usage may be missing or incomplete: a stream cut before
 * its `finish` part has none, and a provider's stream that ends without a usage chunk gives a
 * `finish` with every count undefined (which would otherwise be stored as a free call). A side
 * (input or output) the provider gave no figure for is counted with gpt-tokenizer from the prompt
 * or the text generated so far; the local counts are then kept in the `local*` fields too.
 */
export async function recordedTokens(model: string, usage: ModelUsage | undefined, prompt: unknown, generatedText: () => string): Promise<RecordedTokens> {
  const reported = tokensFromModelUsage(usage);
  const inputKnown = reportsAny(usage?.inputTokens);
  const outputKnown = reportsAny(usage?.outputTokens);
  if (inputKnown && outputKnown) return { ...reported, estimated: false };
  const localPromptTokens = await countPromptTokens(model, prompt);
  const localCompletionTokens = await countTextTokens(model, generatedText());
  return {
    ...reported,
    promptTokens: inputKnown ? reported.promptTokens : Math.max(localPromptTokens, reported.cachedTokens + reported.cacheWriteTokens),
    completionTokens: outputKnown ? reported.completionTokens : Math.max(localCompletionTokens, reported.reasoningTokens),
    estimated: true,
    localPromptTokens,
    localCompletionTokens,
  };
}

function reportsAny(counts: Readonly<Record<string, unknown>> | undefined): boolean {
  return counts !== undefined && Object.values(counts).some((value) => typeof value === "number" && Number.isFinite(value));
}
