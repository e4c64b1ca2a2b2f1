import { USAGE_RECORD_COLUMNS, type NewUsageRecord } from "@llm-accounting/core";

// A value of its own for every column of core's table, so a column added there is stored and read
// back non-empty by every round-trip case without a change here; the fields below override these.
const EVERY_COLUMN: Record<string, unknown> = Object.fromEntries(
  USAGE_RECORD_COLUMNS.map((c, i) => {
    const value = { instant: new Date(Date.UTC(2025, 0, 15, 10, 30, i)), model: `model-${i}`, name: `${c.field}-${i}`, tokens: 3 + i, nanos: 1_000n + BigInt(i), seconds: 0.5 + i, costSource: "price", flag: true };
    return [c.field, value[c.kind]];
  }),
);

/** A fully populated record with every field distinct, for round-trip checks. */
export function sampleRecord(overrides: Partial<NewUsageRecord> = {}): NewUsageRecord {
  return {
    ...EVERY_COLUMN,
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
  } as NewUsageRecord;
}
