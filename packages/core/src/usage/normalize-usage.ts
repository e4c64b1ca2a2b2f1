import { ValidationError } from "../errors.js";
import { parseInstant } from "../instant.js";
import { checkOptionalName, checkStorableName } from "../storable-text.js";
import { usdToNanos } from "../money.js";
import type { NewUsageRecord } from "../store/usage-record.js";
import type { UsageDefaults, UsageInput } from "./usage-input.js";
import { resolveCallNames, type CallNames } from "../context/call-names.js";
import { checkTags } from "./usage-tags.js";

type TokenField =
  | "promptTokens"
  | "completionTokens"
  | "totalTokens"
  | "localPromptTokens"
  | "localCompletionTokens"
  | "localTotalTokens"
  | "cachedTokens"
  | "cacheWriteTokens"
  | "reasoningTokens";

/**
 * Validates a usage input and turns it into the record the store keeps: defaults applied
 * (only null/absent triggers a default, as in the original), totals derived, cost in nano-dollars.
 * Names missing from the input come from `context` (a `withUsageContext` scope) before the defaults
 * (`resolveCallNames` decides; the defaults are checked too, since they end up in the row).
 */
export function normalizeUsage(input: UsageInput, defaults: UsageDefaults, now: Date, context?: CallNames): NewUsageRecord {
  if (input === null || typeof input !== "object") throw new ValidationError("usage", "must be an object");
  const model = input.model;
  if (typeof model !== "string" || model.trim() === "") throw new ValidationError("model", "must be a non-empty string");
  checkStorableName(model, "model");

  // One variable per field, not a record built in a loop: this runs once per tracked call.
  const promptGiven = tokenCount(input.promptTokens, "promptTokens");
  const completionGiven = tokenCount(input.completionTokens, "completionTokens");
  const totalGiven = tokenCount(input.totalTokens, "totalTokens");
  const localPromptGiven = tokenCount(input.localPromptTokens, "localPromptTokens");
  const localCompletionGiven = tokenCount(input.localCompletionTokens, "localCompletionTokens");
  const localTotalGiven = tokenCount(input.localTotalTokens, "localTotalTokens");
  const cachedGiven = tokenCount(input.cachedTokens, "cachedTokens");
  const cacheWriteGiven = tokenCount(input.cacheWriteTokens, "cacheWriteTokens");
  const reasoningGiven = tokenCount(input.reasoningTokens, "reasoningTokens");

  const cost = input.cost ?? 0;
  if (typeof cost !== "number" || !Number.isFinite(cost) || cost < 0) {
    throw new ValidationError("cost", `must be a non-negative number of USD (got ${describe(input.cost)})`);
  }
  const executionTime = input.executionTime ?? 0;
  if (typeof executionTime !== "number" || !Number.isFinite(executionTime) || executionTime < 0) {
    throw new ValidationError("executionTime", `must be a non-negative number of seconds (got ${describe(input.executionTime)})`);
  }

  const prompt = promptGiven ?? 0;
  const cacheRead = cachedGiven ?? 0;
  const cacheWrite = cacheWriteGiven ?? 0;
  // Cache reads and writes are part of the input; more of them than input tokens means the
  // caller passed a provider's "input excluding cache" count (Anthropic's) as promptTokens.
  if (cacheWrite > 0 && cacheRead + cacheWrite > prompt) {
    throw new ValidationError("cacheWriteTokens", `plus cachedTokens (${cacheRead + cacheWrite}) must not exceed promptTokens (${prompt}), which includes cache reads and writes`);
  }
  const completion = completionGiven ?? 0;
  const localPrompt = localPromptGiven ?? 0;
  const localCompletion = localCompletionGiven ?? 0;
  const localTotal = localTotalGiven ?? localPrompt + localCompletion;
  const providerPairGiven = promptGiven !== null || completionGiven !== null;
  const totalTokens = totalGiven ?? (providerPairGiven ? prompt + completion : localTotal);

  const { username, project, callerName, session, tags } = resolveCallNames({ input, context, defaults });

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
    reasoningTokens: reasoningGiven ?? 0,
    costNanos: usdToNanos(cost, "cost"),
    costSource: input.cost == null ? null : "caller",
    executionTime,
    callerName,
    username,
    project,
    session,
    provider: checkOptionalName(optionalText(input.provider, "provider"), "provider"),
    ...(tags && { tags: checkTags(tags) }),
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
