import { ValidationError } from "../errors.js";
import { parseInstant } from "../instant.js";
import { usdToNanos } from "../money.js";
import type { NewUsageRecord } from "../store/usage-record.js";
import type { UsageDefaults, UsageInput } from "./usage-input.js";

const TOKEN_FIELDS = [
  "promptTokens",
  "completionTokens",
  "totalTokens",
  "localPromptTokens",
  "localCompletionTokens",
  "localTotalTokens",
  "cachedTokens",
  "cacheWriteTokens",
  "reasoningTokens",
] as const;

type TokenField = (typeof TOKEN_FIELDS)[number];

/**
 * Validates a usage input and turns it into the record the store keeps: defaults applied
 * (only null/absent triggers a default, as in the original), totals derived, cost in nano-dollars.
 */
export function normalizeUsage(input: UsageInput, defaults: UsageDefaults, now: Date): NewUsageRecord {
  if (input === null || typeof input !== "object") throw new ValidationError("usage", "must be an object");
  const model = input.model;
  if (typeof model !== "string" || model.trim() === "") throw new ValidationError("model", "must be a non-empty string");

  const tokens = {} as Record<TokenField, number | null>;
  for (const field of TOKEN_FIELDS) tokens[field] = tokenCount(input[field], field);

  const cost = input.cost ?? 0;
  if (typeof cost !== "number" || !Number.isFinite(cost) || cost < 0) {
    throw new ValidationError("cost", `must be a non-negative number of USD (got ${describe(input.cost)})`);
  }
  const executionTime = input.executionTime ?? 0;
  if (typeof executionTime !== "number" || !Number.isFinite(executionTime) || executionTime < 0) {
    throw new ValidationError("executionTime", `must be a non-negative number of seconds (got ${describe(input.executionTime)})`);
  }

  const prompt = tokens.promptTokens ?? 0;
  const cacheRead = tokens.cachedTokens ?? 0;
  const cacheWrite = tokens.cacheWriteTokens ?? 0;
  // Cache reads and writes are part of the input; more of them than input tokens means the
  // caller passed a provider's "input excluding cache" count (Anthropic's) as promptTokens.
  if (cacheWrite > 0 && cacheRead + cacheWrite > prompt) {
    throw new ValidationError("cacheWriteTokens", `plus cachedTokens (${cacheRead + cacheWrite}) must not exceed promptTokens (${prompt}), which includes cache reads and writes`);
  }
  const completion = tokens.completionTokens ?? 0;
  const localPrompt = tokens.localPromptTokens ?? 0;
  const localCompletion = tokens.localCompletionTokens ?? 0;
  const localTotal = tokens.localTotalTokens ?? localPrompt + localCompletion;
  const providerPairGiven = tokens.promptTokens !== null || tokens.completionTokens !== null;
  const totalTokens = tokens.totalTokens ?? (providerPairGiven ? prompt + completion : localTotal);

  return {
    timestamp: input.timestamp == null ? now : parseInstant(input.timestamp, "timestamp"),
    model,
    promptTokens: prompt,
    completionTokens: completion,
    totalTokens,
    localPromptTokens: localPrompt,
    localCompletionTokens: localCompletion,
    localTotalTokens: localTotal,
    cachedTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    reasoningTokens: tokens.reasoningTokens ?? 0,
    costNanos: usdToNanos(cost, "cost"),
    costSource: input.cost == null ? null : "caller",
    executionTime,
    callerName: optionalText(input.callerName, "callerName") ?? defaults.appName ?? null,
    username: optionalText(input.username, "username") ?? defaults.userName ?? null,
    project: optionalText(input.project, "project") ?? defaults.projectName ?? null,
    session: optionalText(input.session, "session"),
    provider: optionalText(input.provider, "provider"),
  };
}

function tokenCount(value: unknown, field: TokenField): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new ValidationError(field, `must be a non-negative integer (got ${describe(value)})`);
  }
  return value;
}

function optionalText(value: unknown, field: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== "string") throw new ValidationError(field, `must be a string (got ${describe(value)})`);
  return value;
}

function describe(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}
