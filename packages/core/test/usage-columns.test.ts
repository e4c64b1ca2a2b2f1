import { describe, expect, it } from "vitest";
import { EMPTY_TOTALS, SUMMED_USAGE_COLUMNS, USAGE_RECORD_COLUMNS, addTotals, totalsOfRecords, type NewUsageRecord } from "../src/index.js";

const record = (over: Partial<NewUsageRecord>): NewUsageRecord => ({
  timestamp: new Date("2025-01-01T00:00:00Z"),
  model: "m",
  promptTokens: 0,
  completionTokens: 0,
  totalTokens: 0,
  localPromptTokens: 0,
  localCompletionTokens: 0,
  localTotalTokens: 0,
  cachedTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  costNanos: 0n,
  costSource: null,
  provider: null,
  executionTime: 0,
  callerName: null,
  username: null,
  project: null,
  session: null,
  usageEstimated: false,
  cacheWrite1hTokens: 0,
  serviceTier: null,
  ...over,
});

describe("the usage column table", () => {
  it("names every column and field once", () => {
    expect(new Set(USAGE_RECORD_COLUMNS.map((c) => c.name)).size).toBe(USAGE_RECORD_COLUMNS.length);
    expect(new Set(USAGE_RECORD_COLUMNS.map((c) => c.field)).size).toBe(USAGE_RECORD_COLUMNS.length);
    expect(USAGE_RECORD_COLUMNS.map((c) => c.field).sort()).toEqual(Object.keys(record({})).sort());
  });

  it("gives the totals one zero per summed column, after requests", () => {
    expect(Object.keys(EMPTY_TOTALS)).toEqual(["requests", ...SUMMED_USAGE_COLUMNS.map((c) => c.field)]);
    expect(EMPTY_TOTALS.costNanos).toBe(0n);
    expect(Object.isFrozen(EMPTY_TOTALS)).toBe(true);
  });

  it("sums records column by column, execution time in whole microseconds", () => {
    const rows = [record({ promptTokens: 3, reasoningTokens: 2, costNanos: 5n, executionTime: 0.1000004 }), record({ promptTokens: 4, cacheWriteTokens: 9, costNanos: 2n ** 60n, executionTime: 0.2 })];
    expect(totalsOfRecords(rows)).toEqual({ ...EMPTY_TOTALS, requests: 2, promptTokens: 7, reasoningTokens: 2, costNanos: 5n + 2n ** 60n, executionTime: 0.3 });
    expect(totalsOfRecords([])).toBe(EMPTY_TOTALS);
  });

  it("adds totals", () => {
    const a = totalsOfRecords([record({ totalTokens: 1, costNanos: 1n })]);
    expect(addTotals(a, a)).toEqual({ ...EMPTY_TOTALS, requests: 2, totalTokens: 2, costNanos: 2n });
  });
});
