/** Token counts in llm-accounting's semantics: cache reads/writes inside promptTokens, reasoning inside completionTokens. */
export interface NormalizedTokens {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly cachedTokens: number;
  readonly cacheWriteTokens: number;
  readonly reasoningTokens: number;
  /** Of cacheWriteTokens, those kept for one hour (Anthropic reports the split); absent: none. */
  readonly cacheWrite1hTokens?: number;
}

/** The `usage` object of OpenAI chat completions (`prompt_tokens` already includes cached tokens). */
export interface OpenAIChatUsage {
  readonly prompt_tokens?: number | null;
  readonly completion_tokens?: number | null;
  readonly prompt_tokens_details?: { readonly cached_tokens?: number | null } | null;
  readonly completion_tokens_details?: { readonly reasoning_tokens?: number | null } | null;
}

/** The `usage` object of the OpenAI Responses API (`input_tokens` already includes cached tokens). */
export interface OpenAIResponsesUsage {
  readonly input_tokens?: number | null;
  readonly output_tokens?: number | null;
  readonly input_tokens_details?: { readonly cached_tokens?: number | null } | null;
  readonly output_tokens_details?: { readonly reasoning_tokens?: number | null } | null;
}

/** The `usage` object of Anthropic messages (`input_tokens` excludes cache reads and writes). */
export interface AnthropicUsage {
  readonly input_tokens?: number | null;
  readonly output_tokens?: number | null;
  readonly cache_read_input_tokens?: number | null;
  readonly cache_creation_input_tokens?: number | null;
  /** The cache writes by how long they are kept (newer API versions; its parts add up to cache_creation_input_tokens). */
  readonly cache_creation?: { readonly ephemeral_5m_input_tokens?: number | null; readonly ephemeral_1h_input_tokens?: number | null } | null;
}

const n = (value: number | null | undefined): number => value ?? 0;

/** Normalises an OpenAI chat completions usage object. */
export function tokensFromOpenAIChat(usage: OpenAIChatUsage): NormalizedTokens {
  return {
    promptTokens: n(usage.prompt_tokens),
    completionTokens: n(usage.completion_tokens),
    cachedTokens: n(usage.prompt_tokens_details?.cached_tokens),
    cacheWriteTokens: 0,
    reasoningTokens: n(usage.completion_tokens_details?.reasoning_tokens),
  };
}

/** Normalises an OpenAI Responses API usage object. */
export function tokensFromOpenAIResponses(usage: OpenAIResponsesUsage): NormalizedTokens {
  return {
    promptTokens: n(usage.input_tokens),
    completionTokens: n(usage.output_tokens),
    cachedTokens: n(usage.input_tokens_details?.cached_tokens),
    cacheWriteTokens: 0,
    reasoningTokens: n(usage.output_tokens_details?.reasoning_tokens),
  };
}

/**
 * Normalises an Anthropic usage object: its `input_tokens` leaves out cache reads and writes,
 * so they are added back to make promptTokens the whole input (never counted twice).
 */
export function tokensFromAnthropic(usage: AnthropicUsage): NormalizedTokens {
  const read = n(usage.cache_read_input_tokens);
  // The split by TTL, when given, is the truth about the writes; the total is kept when it says more.
  const written1h = n(usage.cache_creation?.ephemeral_1h_input_tokens);
  const written = Math.max(n(usage.cache_creation_input_tokens), n(usage.cache_creation?.ephemeral_5m_input_tokens) + written1h);
  return {
    promptTokens: n(usage.input_tokens) + read + written,
    completionTokens: n(usage.output_tokens),
    cachedTokens: read,
    cacheWriteTokens: written,
    reasoningTokens: 0,
    ...(written1h > 0 && { cacheWrite1hTokens: written1h }),
  };
}
