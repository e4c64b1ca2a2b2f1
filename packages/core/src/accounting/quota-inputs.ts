import { ValidationError } from "../errors.js";
import type { LimitRemaining } from "../quota/evaluate.js";
import type { QuotaRequest } from "../quota/quota-request.js";
import type { UsageForecast } from "../quota/forecast.js";
import { usdToNanos } from "../money.js";
import type { UsageDefaults, UsageInput } from "../usage/usage-input.js";
import { checkOptionalName, checkStorableName } from "../storable-text.js";
import { checkTags, mergeTags, type UsageTags } from "../usage/usage-tags.js";
import { currentUsageContext } from "../context/usage-context.js";

/**
 * A call to check against the limits. Names default to the facade's defaults, like trackUsage.
 * Token fields mean what they mean in `trackUsage`; without a `cost`, the tokens are priced the
 * way `trackUsage` would price them (stored prices, then the pricer).
 */
export interface QuotaCheckInput {
  model: string;
  username?: string | null;
  callerName?: string | null;
  projectName?: string | null;
  /** Every input token the call will use, cache reads and writes included (`trackUsage`'s `promptTokens`). */
  promptTokens?: number;
  /** Same as `promptTokens` (the original's name); give one or the other, or both equal. */
  inputTokens?: number;
  /** Output tokens the call will use (or may use at most), reasoning included. */
  completionTokens?: number;
  /** Input tokens expected from the prompt cache (part of `promptTokens`, priced at the cache rate). */
  cachedTokens?: number;
  /** Input tokens expected to be written to the prompt cache (part of `promptTokens`). */
  cacheWriteTokens?: number;
  /** Output tokens expected to be reasoning (part of `completionTokens`). */
  reasoningTokens?: number;
  /** Provider that will serve the call: helps pick the price. */
  provider?: string | null;
  /** Cost of the call in USD; when absent, the tokens are priced. */
  cost?: number;
  /**
   * When no cost is given and the tokens cannot be priced (no stored price, no pricer price), a
   * cost limit that applies refuses the call (fail closed). Set this to count such a call as
   * cost 0 instead.
   */
  allowUnpriced?: boolean;
  /** When set, a denial is recorded as a quota rejection of this session. */
  session?: string | null;
  /**
   * The call's tags, merged key by key over the `withUsageContext` tags and the facade's `tags`
   * exactly as `trackUsage` merges them; TAG limits apply by them.
   */
  tags?: UsageTags | null;
}

/** A reservation request: the call to hold budget for, and how long to hold it. */
export interface ReserveInput extends QuotaCheckInput {
  /** After this long an uncommitted reservation stops counting (a crashed caller). Default 10 minutes. */
  ttlMs?: number;
}

/** How much of a limit's current window is left (USD for cost limits); Infinity when unlimited. */
export type RemainingLimit = LimitRemaining & {
  /** Burn rate, projected usage at the window's end and when the limit is reached (null for unlimited limits). */
  readonly forecast: UsageForecast | null;
};

/** Validates a check input and applies the facade's defaults (only null/absent names default). */
export function quotaRequestOf(input: QuotaCheckInput, defaults: UsageDefaults): QuotaRequest {
  if (typeof input?.model !== "string" || input.model.trim() === "") throw new ValidationError("model", "must be a non-empty string");
  const cost = input.cost ?? 0;
  if (typeof cost !== "number" || !Number.isFinite(cost) || cost < 0) throw new ValidationError("cost", `must be a non-negative number of USD (got ${cost})`);
  if (input.session != null) checkStorableName(input.session, "session");
  return {
    model: checkStorableName(input.model, "model"),
    username: checkOptionalName(input.username ?? defaults.userName ?? null, "username"),
    callerName: checkOptionalName(input.callerName ?? defaults.appName ?? null, "callerName"),
    projectName: checkOptionalName(input.projectName ?? defaults.projectName ?? null, "projectName"),
    inputTokens: promptTokensOf(input),
    completionTokens: tokenCount(input.completionTokens, "completionTokens"),
    costNanos: usdToNanos(cost),
    // Each layer checked on its own, as recording does, so an error names the key as written.
    tags: mergeTags(checkTags(defaults.tags), checkTags(currentUsageContext()?.tags), checkTags(input.tags)) ?? null,
  };
}

/** The usage `trackUsage` would be given for this check (no cost): what pricing the check means. */
export function usageToPrice(input: QuotaCheckInput, request: QuotaRequest): UsageInput {
  return {
    model: request.model,
    username: request.username,
    callerName: request.callerName,
    project: request.projectName,
    promptTokens: request.inputTokens,
    completionTokens: request.completionTokens,
    cachedTokens: tokenCount(input.cachedTokens, "cachedTokens"),
    cacheWriteTokens: tokenCount(input.cacheWriteTokens, "cacheWriteTokens"),
    reasoningTokens: tokenCount(input.reasoningTokens, "reasoningTokens"),
    provider: input.provider ?? null,
    tags: request.tags ?? null,
  };
}

function promptTokensOf(input: QuotaCheckInput): number {
  const prompt = tokenCount(input.promptTokens, "promptTokens");
  const legacy = tokenCount(input.inputTokens, "inputTokens");
  if (input.promptTokens !== undefined && input.inputTokens !== undefined && prompt !== legacy) {
    throw new ValidationError("inputTokens", `must equal promptTokens when both are given (got ${legacy} and ${prompt})`);
  }
  return input.promptTokens !== undefined ? prompt : legacy;
}

function tokenCount(value: number | undefined, field: string): number {
  if (value === undefined) return 0;
  if (!Number.isSafeInteger(value) || value < 0) throw new ValidationError(field, `must be a non-negative integer (got ${value})`);
  return value;
}
