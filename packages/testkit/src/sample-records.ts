import type { NewUsageRecord } from "@llm-accounting/core";

/** A fully populated record with every field distinct, for round-trip checks. */
export function sampleRecord(overrides: Partial<NewUsageRecord> = {}): NewUsageRecord {
  return {
    timestamp: new Date("2025-01-15T10:30:00.123Z"),
    model: "gpt-4o",
    promptTokens: 100,
    completionTokens: 50,
    totalTokens: 150,
    localPromptTokens: 98,
    localCompletionTokens: 49,
    localTotalTokens: 147,
    cachedTokens: 20,
    cacheWriteTokens: 11,
    reasoningTokens: 7,
    costNanos: 2_500_000n,
    costSource: "caller",
    provider: "openai",
    executionTime: 1.25,
    callerName: "chat-api",
    username: "alice",
    project: "alpha",
    session: "sess-1",
    ...overrides,
  };
}
