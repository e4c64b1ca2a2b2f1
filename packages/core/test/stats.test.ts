import { describe, expect, it } from "vitest";
import { EMPTY_TOTALS, rankModels, statsFromTotals, type ModelUsageTotals } from "../src/index.js";

const totals = (model: string, promptTokens: number, costNanos: bigint, requests = 1): ModelUsageTotals => ({
  ...EMPTY_TOTALS, model, requests, promptTokens, totalTokens: promptTokens * 2, costNanos, executionTime: requests * 0.5,
});

describe("statsFromTotals", () => {
  it("gives zero averages for an empty set", () => {
    const s = statsFromTotals(EMPTY_TOTALS);
    expect([s.requests, s.sumCost, s.avgCost, s.avgPromptTokens]).toEqual([0, 0, 0, 0]);
  });
  it("derives USD sums and per-request averages", () => {
    const s = statsFromTotals(totals("m", 30, 3_000_000_000n, 4));
    expect([s.sumCost, s.sumCostNanos, s.avgCost, s.avgPromptTokens, s.avgExecutionTime]).toEqual([3, 3_000_000_000n, 0.75, 7.5, 0.5]);
  });
});

describe("rankModels", () => {
  it("ranks highest first, ties by model name", () => {
    const r = rankModels([totals("b", 10, 5n), totals("a", 10, 9n), totals("c", 30, 1n)]);
    expect(r.promptTokens.map((x) => x.model)).toEqual(["c", "a", "b"]);
    expect(r.cost.map((x) => [x.model, x.value])).toEqual([["a", 9e-9], ["b", 5e-9], ["c", 1e-9]]);
    expect(r.totalTokens[0]).toEqual({ model: "c", value: 60 });
  });
});
