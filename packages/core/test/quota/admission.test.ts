import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { admissionBounds, evaluateQuota, planQuota, usageOfType, type LimitType, type QuotaUsage } from "../../src/quota/index.js";
import { limit, request, usage } from "./fixtures.js";

const NOW = new Date("2024-03-10T12:34:56.789Z");
const TYPES: LimitType[] = ["requests", "input_tokens", "output_tokens", "total_tokens", "cost"];

/** Whether every bound holds for these sums, as a store checks them where it sums. */
const within = (bounds: NonNullable<ReturnType<typeof admissionBounds>>, sums: readonly QuotaUsage[]) =>
  bounds.every((bound) => usageOfType(bound.type, sums[bound.query]!) <= bound.ceiling);

describe("admissionBounds", () => {
  it("holds exactly when evaluateQuota allows, for random limits, requests and usage", () => {
    const arbLimit = fc.record({
      scope: fc.constantFrom("GLOBAL" as const, "MODEL" as const, "USER" as const),
      model: fc.constantFrom("gpt-4", "*", "claude"),
      username: fc.constantFrom("user1", "*", "user2"),
      limitType: fc.constantFrom(...TYPES),
      // 0 denies, -1 is unlimited, fractions round down, other values sit near the usage below.
      maxValue: fc.oneof(fc.constantFrom(0, -1, 0.5, 1, 2, 0.002), fc.integer({ min: 0, max: 40 }), fc.double({ min: 0, max: 0.05, noNaN: true })),
      intervalUnit: fc.constantFrom("minute" as const, "day" as const, "hour_rolling" as const, "monthly" as const),
    });
    const arbSums = fc.record({
      requests: fc.integer({ min: 0, max: 30 }),
      inputTokens: fc.integer({ min: 0, max: 30 }),
      outputTokens: fc.integer({ min: 0, max: 30 }),
      totalTokens: fc.integer({ min: 0, max: 60 }),
      costNanos: fc.bigInt({ min: 0n, max: 50_000_000n }),
    });
    fc.assert(
      fc.property(
        fc.array(arbLimit, { maxLength: 6 }),
        fc.record({ inputTokens: fc.integer({ min: 0, max: 20 }), completionTokens: fc.integer({ min: 0, max: 20 }), costNanos: fc.bigInt({ min: 0n, max: 20_000_000n }) }),
        fc.array(arbSums, { minLength: 6, maxLength: 6 }),
        (shapes, amounts, sums) => {
          const limits = shapes.map((shape) => limit({ ...shape, model: shape.scope === "GLOBAL" ? null : shape.model, username: shape.scope === "USER" ? shape.username : null }));
          const req = request(amounts);
          const plan = planQuota(limits, req, NOW);
          const usages = plan.queries.map((_, q) => usage(sums[q]));
          const bounds = admissionBounds(plan, req);
          expect(bounds).not.toBeNull();
          expect(within(bounds!, usages)).toBe(evaluateQuota(plan, usages, req, NOW).allowed);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("stops at the first unlimited limit, like the check", () => {
    const specific = limit({ scope: "USER", username: "user1", model: "gpt-4", maxValue: 3 });
    const unlimited = limit({ scope: "MODEL", model: "gpt-4", maxValue: -1 });
    const plan = planQuota([limit({ maxValue: 0 }), unlimited, specific], request(), NOW);
    expect(admissionBounds(plan, request())).toEqual([{ query: 0, type: "requests", ceiling: 2n }]);
  });

  it("gives no bounds for a limit no usage satisfies (a hand-written negative maximum)", () => {
    expect(admissionBounds(planQuota([limit({ maxValue: -5 })], request(), NOW), request())).toBeNull();
  });

  it("subtracts the request's amount in the limit's unit (nano-dollars for cost)", () => {
    const plan = planQuota([limit({ limitType: "cost", maxValue: 0.0875 }), limit({ scope: "MODEL", model: "gpt-4", limitType: "total_tokens", maxValue: 100 })], request({ inputTokens: 30, completionTokens: 20, costNanos: 25_000_000n }), NOW);
    const bounds = admissionBounds(plan, request({ inputTokens: 30, completionTokens: 20, costNanos: 25_000_000n }));
    expect(bounds).toEqual([
      { query: 0, type: "total_tokens", ceiling: 50n },
      { query: 1, type: "cost", ceiling: 62_500_000n },
    ]);
  });
});
