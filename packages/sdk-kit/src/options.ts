import type { CallTrackingOptions } from "@llm-accounting/core";

/** How a tracked SDK client records its calls. */
export interface TrackingOptions extends CallTrackingOptions {
  /**
   * Also count prompt and completion tokens locally with gpt-tokenizer (`localPromptTokens`,
   * `localCompletionTokens`). Exact for OpenAI models; an approximation for Claude (o200k_base,
   * not Anthropic's tokenizer).
   */
  readonly countLocalTokens?: boolean;
}
