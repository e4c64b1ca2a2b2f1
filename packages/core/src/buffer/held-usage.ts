import { nanosToUsd } from "../money.js";
import type { NewUsageRecord } from "../store/usage-record.js";
import type { UsageInput } from "../usage/usage-input.js";

/** A held record in the form `trackUsage` takes: replaying it writes the same row (names and time included). */
export function inputOf(record: NewUsageRecord): UsageInput {
  return {
    model: record.model,
    promptTokens: record.promptTokens,
    completionTokens: record.completionTokens,
    totalTokens: record.totalTokens,
    localPromptTokens: record.localPromptTokens,
    localCompletionTokens: record.localCompletionTokens,
    localTotalTokens: record.localTotalTokens,
    cachedTokens: record.cachedTokens,
    cacheWriteTokens: record.cacheWriteTokens,
    reasoningTokens: record.reasoningTokens,
    // Only a cost the caller gave: the others are priced when written, as they would have been.
    ...(record.costSource === "caller" ? { cost: nanosToUsd(record.costNanos) } : {}),
    provider: record.provider,
    executionTime: record.executionTime,
    timestamp: record.timestamp,
    callerName: record.callerName,
    username: record.username,
    project: record.project,
    session: record.session,
  };
}

/** The held calls, as onError events report them. */
export function inputsOf(records: readonly NewUsageRecord[]): UsageInput[] {
  return records.map(inputOf);
}
