import { describe, expect, it } from "vitest";
import type { UsageRecord } from "@llm-accounting/core";
import { exportRows } from "../src/data/export.js";

const record = (id: number, tags?: Record<string, string>): UsageRecord => ({
  id, timestamp: new Date("2025-01-01T00:00:00Z"), model: "m", promptTokens: 1, completionTokens: 1, totalTokens: 2, localPromptTokens: 0, localCompletionTokens: 0, localTotalTokens: 0,
  cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, costNanos: 1n, costSource: "caller", provider: null, executionTime: 0, callerName: null, username: null, project: null, session: null, usageEstimated: false, ...(tags && { tags }),
});

describe("export of calls", () => {
  it("keeps each call's tags as one JSON column, empty for a call without tags", () => {
    const rows = exportRows({ view: "breakdown", data: [], calls: [record(1, { team: "a", env: "prod" }), record(2)] });
    expect(rows.map((row) => row.tags)).toEqual(['{"team":"a","env":"prod"}', null]);
  });
});
