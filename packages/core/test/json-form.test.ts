import { describe, expect, it } from "vitest";
import { EMPTY_TOTALS, modelPriceJson, repriceResultJson, statsFromTotals, usageRecordResult, usageTotalsJson, withJsonForm, type UsageRecord } from "../src/index.js";

const record: UsageRecord = {
  id: 7, timestamp: new Date("2025-01-15T10:30:00.123Z"), model: "gpt-4o", promptTokens: 100, completionTokens: 50, totalTokens: 150,
  localPromptTokens: 0, localCompletionTokens: 0, localTotalTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0,
  costNanos: 9_007_199_254_740_993n, costSource: "caller", provider: null, executionTime: 1.5, callerName: null, username: "ann", project: null, session: null,
  usageEstimated: false,
};

describe("JSON forms", () => {
  it("writes a record's cost in USD and its exact nano-dollars as a string, beyond 2^53", () => {
    const json = JSON.parse(JSON.stringify(usageRecordResult(record)));
    expect(json).toEqual({ ...record, timestamp: "2025-01-15T10:30:00.123Z", costNanos: "9007199254740993", cost: 9_007_199.254740993 });
  });

  it("keeps the value plain data: toJSON is not enumerable, equality ignores it", () => {
    const value = usageRecordResult({ ...record });
    expect(Object.keys(value)).toEqual(Object.keys(record));
    expect(value).toEqual(record);
    expect(structuredClone(value)).toEqual(record);
  });

  it("leaves the store's object alone, even a frozen one", () => {
    const frozen = Object.freeze({ ...record });
    expect(JSON.parse(JSON.stringify(usageRecordResult(frozen)))).toMatchObject({ costNanos: "9007199254740993" });
    expect(Object.getOwnPropertyNames(frozen)).not.toContain("toJSON");
  });

  it("writes stats with sumCostNanos as a string", () => {
    const stats = statsFromTotals({ ...EMPTY_TOTALS, requests: 2, costNanos: 3n });
    expect(JSON.parse(JSON.stringify(stats))).toMatchObject({ requests: 2, sumCost: 0.000000003, sumCostNanos: "3", avgCost: 0.0000000015 });
    expect(JSON.parse(JSON.stringify(statsFromTotals(EMPTY_TOTALS)))).toMatchObject({ sumCost: 0, sumCostNanos: "0", avgCost: 0 });
  });

  it("writes totals, prices and reprice results without a bigint or a Map left", () => {
    expect(usageTotalsJson({ ...EMPTY_TOTALS, key: "alice", costNanos: 1_500_000_000n })).toMatchObject({ key: "alice", cost: 1.5, costNanos: "1500000000" });
    const price = { id: 1, model: "m", provider: null, effectiveFrom: new Date(0), createdAt: new Date(0), inputNanosPerMTok: 2_500_000_000n, cacheReadNanosPerMTok: null, cacheWriteNanosPerMTok: 1n, outputNanosPerMTok: 10_000_000_000n, note: null };
    expect(modelPriceJson(price)).toMatchObject({ inputPerMTok: 2.5, inputNanosPerMTok: "2500000000", cacheReadPerMTok: null, cacheReadNanosPerMTok: null, cacheWritePerMTok: 0.000000001, cacheWriteNanosPerMTok: "1", outputPerMTok: 10, effectiveFrom: "1970-01-01T00:00:00.000Z" });
    const result = { applied: true, examined: 1, changes: [{ id: 1, timestamp: new Date(0), model: "m", oldCostNanos: 0n, newCostNanos: 5n, costSource: "price" as const }], oldTotalNanos: 0n, newTotalNanos: 5n, unpriced: new Map([["x", 2]]) };
    expect(JSON.parse(JSON.stringify(withJsonForm(result, repriceResultJson)))).toEqual({
      applied: true, examined: 1, oldTotal: 0, oldTotalNanos: "0", newTotal: 0.000000005, newTotalNanos: "5", unpriced: { x: 2 },
      changes: [{ id: 1, timestamp: "1970-01-01T00:00:00.000Z", model: "m", oldCost: 0, oldCostNanos: "0", newCost: 0.000000005, newCostNanos: "5", costSource: "price" }],
    });
  });
});
