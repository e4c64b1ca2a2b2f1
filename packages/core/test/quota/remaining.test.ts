import { describe, expect, it } from "vitest";
import { planRemaining, planStatus, remainingFromUsage, statusFromUsage } from "../../src/quota/index.js";
import { cents, limit, request, row, sumRows, usage, type Row } from "./fixtures.js";

const NOW = new Date("2024-01-01T00:00:30.000Z");
const remaining = (limits: Parameters<typeof planRemaining>[0], tracked: Row[], req = request()) => {
  const plan = planRemaining(limits, req, NOW);
  return remainingFromUsage(plan, plan.queries.map((q) => sumRows(tracked, q)));
};

describe("remaining limits", () => {
  it("reproduces the original's pinned values", () => {
    const user = limit({ scope: "USER", username: "user1", limitType: "total_tokens", maxValue: 100 });
    const cost = limit({ scope: "GLOBAL", limitType: "cost", maxValue: 10 });
    const star = limit({ scope: "MODEL", model: "*", maxValue: 0 });
    const gpt4 = limit({ scope: "MODEL", model: "gpt-4", maxValue: -1 });
    const result = remaining([user, cost, star, gpt4], [row(NOW, { totalTokens: 50, costNanos: cents(100) })]);
    expect(result).toEqual([
      { limit: user, remaining: 50 },
      { limit: cost, remaining: 9 },
      { limit: star, remaining: 0 },
      { limit: gpt4, remaining: Number.POSITIVE_INFINITY },
    ]);
  });

  it("keeps stored order (no sort), goes past -1, skips what does not apply", () => {
    const unlimited = limit({ scope: "MODEL", model: "gpt-4", maxValue: -1 });
    const broad = limit({ maxValue: 7 });
    const specific = limit({ scope: "USER", username: "user1", model: "gpt-4", maxValue: 3 });
    const other = limit({ scope: "USER", username: "user2", maxValue: 3 });
    const result = remaining([unlimited, broad, other, specific], [row(NOW), row(NOW, { username: "user2" })]);
    expect(result.map((r) => [r.limit.id, r.remaining])).toEqual([
      [unlimited.id, Number.POSITIVE_INFINITY],
      [broad.id, 5],
      [specific.id, 2],
    ]);
  });

  it("ignores the request's own amounts and never goes below 0", () => {
    const limits = [limit({ limitType: "input_tokens", maxValue: 100 }), limit({ maxValue: 1 }), limit({ limitType: "cost", maxValue: 1 })];
    const tracked = [row(NOW, { inputTokens: 30 }), row(NOW, { costNanos: cents(125) })];
    const result = remaining(limits, tracked, request({ inputTokens: 60, costNanos: cents(90) }));
    expect(result.map((r) => r.remaining)).toEqual([70, 0, 0]);
  });

  it("reports cost in USD, fractions included", () => {
    const result = remaining([limit({ limitType: "cost", maxValue: 10 })], [row(NOW, { costNanos: 1_250_000_001n })]);
    expect(result[0]?.remaining).toBe(8.749999999);
  });
});

describe("limit status (every limit, no request)", () => {
  it("plans one query per limit in order, even duplicates and unlimited ones", () => {
    const limits = [limit(), limit({ maxValue: -1 }), limit({ scope: "PROJECT", projectName: null, intervalUnit: "day" })];
    expect(planStatus(limits, NOW)).toEqual([
      { filter: {}, start: new Date("2024-01-01T00:00:00Z"), end: NOW },
      { filter: {}, start: new Date("2024-01-01T00:00:00Z"), end: NOW },
      { filter: { project: null }, start: new Date("2024-01-01T00:00:00Z"), end: NOW },
    ]);
  });

  it("reports used, left and the reset instant per limit", () => {
    const fixed = limit({ limitType: "cost", maxValue: 2, intervalUnit: "hour" });
    const rolling = limit({ maxValue: 3, intervalUnit: "minute_rolling" });
    const unlimited = limit({ maxValue: -1, intervalUnit: "second_rolling" });
    const oldest = new Date("2024-01-01T00:00:10Z");
    const status = statusFromUsage([fixed, rolling, unlimited], [usage({ costNanos: cents(50) }), usage({ requests: 5, oldest }), usage()], NOW);
    expect(status).toEqual([
      { limit: fixed, used: 0.5, remaining: 1.5, resetAt: new Date("2024-01-01T01:00:00Z"), forecast: null },
      { limit: rolling, used: 5, remaining: 0, resetAt: new Date("2024-01-01T00:01:10Z"), forecast: null },
      { limit: unlimited, used: 0, remaining: Number.POSITIVE_INFINITY, resetAt: null, forecast: null },
    ]);
  });
});
