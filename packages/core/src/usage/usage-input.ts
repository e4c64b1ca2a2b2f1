import type { InstantInput } from "../instant.js";
import type { UsageTags } from "./usage-tags.js";
import type { USAGE_INPUT_FIELDS, UsageRecordColumn } from "../store/usage-columns.js";
import type { CostSource, NewUsageRecord } from "../store/usage-record.js";

/**
 * A count for every token column of core's table, under the record's field name (and with its
 * documentation): a column added to the table is an input at once. `UsageInput` documents them
 * for callers; a count left out defaults to 0.
 */
type TokenCountInputs = { [K in keyof Pick<NewUsageRecord, Extract<UsageRecordColumn, { kind: "tokens" }>["field"]>]?: number | null };

/** One model call to record. Only `model` is required; token counts default to 0. */
export interface UsageInput extends TokenCountInputs {
  /** Model name, e.g. `gpt-4o`. Must be non-empty. */
  model: string;
  /**
   * Every input token the provider billed, cache reads and cache writes included (OpenAI's
   * `prompt_tokens`; for Anthropic `input_tokens + cache_read_input_tokens + cache_creation_input_tokens`).
   */
  promptTokens?: number | null;
  /** Every output token, reasoning tokens included. */
  completionTokens?: number | null;
  /** Defaults to promptTokens + completionTokens (else the local pair) when absent. */
  totalTokens?: number | null;
  /** Locally counted tokens (for example with a tokenizer), kept beside the provider's counts. */
  localPromptTokens?: number | null;
  localCompletionTokens?: number | null;
  /** Defaults to localPromptTokens + localCompletionTokens when absent. */
  localTotalTokens?: number | null;
  /**
   * True when some token counts are estimates rather than the provider's (a stream cut before its
   * final usage, whose output was counted locally). Default false.
   */
  estimated?: boolean | null;
  /** Input tokens read from the provider's prompt cache (part of promptTokens). */
  cachedTokens?: number | null;
  /** Input tokens written to the provider's prompt cache (part of promptTokens). */
  cacheWriteTokens?: number | null;
  /** Output tokens spent on reasoning (part of completionTokens). */
  reasoningTokens?: number | null;
  /**
   * Cache writes kept for one hour (Anthropic's `cache_creation.ephemeral_1h_input_tokens`): part
   * of cacheWriteTokens, never more; the rest of the writes are 5-minute ones. Priced at the 1-hour rate.
   */
  cacheWrite1hTokens?: number | null;
  /**
   * Cost in USD; stored exactly to the nano-dollar. When absent and the facade has a `pricer`,
   * the cost is computed from the tokens (and recorded as unpriced when the model has no price).
   */
  cost?: number | null;
  /**
   * `"provider"` when `cost` is the figure the provider reported and bills (OpenRouter's
   * `usage.cost`, a coding agent's logged cost): stored as the record's `costSource`, and `reprice`
   * leaves it alone unless `includeProviderCosts` is set; needs a `cost`. Any other source (the
   * default) records a given cost as the caller's, so a stored record spread into an input replays as before.
   */
  costSource?: CostSource | null;
  /** Provider that served the call (`openai`, `anthropic`, ...): stored, and used to pick the price. */
  provider?: string | null;
  /**
   * The service tier the call ran at, as the provider reports it: `standard` (OpenAI's `default`),
   * `batch`, `flex`, `priority`, ...; a lower-case word (letters, digits, `_`, `-`). Prices follow it
   * (OpenAI and Anthropic batch, OpenAI flex: half price). Null or absent: unknown, priced as standard.
   */
  serviceTier?: string | null;
  /** Wall time of the call in seconds. */
  executionTime?: number | null;
  /** When the call happened; defaults to now. */
  timestamp?: InstantInput | null;
  /** The calling app or component; defaults to the facade's `appName`. */
  callerName?: string | null;
  /** Defaults to the facade's `userName`. */
  username?: string | null;
  /** Defaults to the facade's `projectName`. */
  project?: string | null;
  session?: string | null;
  /**
   * Labels for breakdowns and filters (at most 16; keys 1-64 of `a-z 0-9 _ . -`, values up to 256
   * characters). Merged key by key over the `withUsageContext` tags and the facade's `tags`; these win.
   */
  tags?: UsageTags | null;
}

/** Values the facade fills in when a usage input leaves them null or absent. */
export interface UsageDefaults {
  readonly projectName?: string | null;
  readonly appName?: string | null;
  readonly userName?: string | null;
  /** Tags every record carries unless the context or the call sets the same key. */
  readonly tags?: UsageTags | null;
}

// Fails to compile when an input field of core's column table is not a field of UsageInput.
type NotInputs = Exclude<(typeof USAGE_INPUT_FIELDS)[number], keyof UsageInput>;
type Holds<T extends true> = T;
/** Holds (compiles) while UsageInput takes every input field of the usage column table. */
export type UsageInputTakesTheColumns = Holds<[NotInputs] extends [never] ? true : false>;
