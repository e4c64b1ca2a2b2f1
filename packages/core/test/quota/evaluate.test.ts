import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateQuota, planQuota, type IntervalUnit, type UsageLimit } from "../../src/quota/index.js";
import { cents, decide, limit, request, usage } from "./fixtures.js";

const NOW = new Date("2024-01-01T00:00:30.250Z");

describe("planQuota", () => {
  it("keeps applicable limits, most specific first, one query per limit over [start, now]", () => {
    const g = limit({ intervalUnit: "hour" });
    const other = limit({ scope: "USER", username: "user2" });
    const m = limit({ scope: "MODEL", model: "gpt-4", intervalUnit: "day_rolling", intervalValue: 2 });
    const plan = planQuota([g, other, m], request(), NOW);
    expect(plan.steps.map((s) => s.limit)).toEqual([m, g]);
    expect(plan.queries).toEqual([
      {
        filter: { model: "gpt-4" },
        start: new Date("2023-12-30T00:00:30Z"),
        end: NOW,
        // A rolling limit asks when its window holds at most max - request, for the retry time.
        releases: [{ type: "requests", ceiling: 9n, unit: "day_rolling", intervalValue: 2 }],
      },
      { filter: {}, start: new Date("2024-01-01T00:00:00Z"), end: NOW },
    ]);
    expect(plan.steps.map((s) => [s.query, s.release])).toEqual([
      [0, 0],
      [1, undefined],
    ]);
  });

  it("stops at the first applicable unlimited limit and includes it without a query", () => {
    const specific = limit({ scope: "USER", username: "user1", model: "gpt-4", maxValue: 5 });
    const unlimited = limit({ scope: "MODEL", model: "gpt-4", maxValue: -1 });
    const plan = planQuota([limit(), unlimited, specific, limit({ scope: "MODEL", model: "claude", maxValue: -1 })], request(), NOW);
    expect(plan.steps).toEqual([{ limit: specific, query: 0 }, { limit: unlimited, query: null }]);
    expect(plan.queries).toHaveLength(1);
  });

  it("asks for each distinct filter and window once", () => {
    const plan = planQuota(
      [
        limit({ maxValue: 5 }),
        limit({ limitType: "cost", maxValue: 5 }),
        limit({ intervalUnit: "hour_rolling" }),
        limit({ intervalUnit: "second", intervalValue: 60 }),
        limit({ scope: "MODEL", model: "*" }),
        limit({ scope: "MODEL", model: "gpt-4" }),
        limit({ scope: "PROJECT", projectName: "p1" }),
        limit({ scope: "USER", projectName: "p1" }),
      ],
      request(),
      NOW,
    );
    expect(plan.queries.map((q) => [q.filter, q.start.toISOString()])).toEqual([
      [{ model: "gpt-4" }, "2024-01-01T00:00:00.000Z"],
      [{ project: "p1" }, "2024-01-01T00:00:00.000Z"],
      [{}, "2024-01-01T00:00:00.000Z"],
      [{}, "2023-12-31T23:00:30.000Z"],
    ]);
    expect(plan.steps.map((s) => s.query)).toEqual([0, 1, 1, 2, 2, 3, 2, 2]);
  });
});

describe("evaluateQuota", () => {
  const one = (l: Partial<UsageLimit>, u = usage(), req = request()) => decide([limit(l)], req, u, NOW);

  it("allows reaching a limit exactly and denies passing it, for every type", () => {
    const req = request({ inputTokens: 40, completionTokens: 15, costNanos: cents(250) });
    const cases: [UsageLimit["limitType"], Parameters<typeof usage>[0], number][] = [
      ["requests", { requests: 9 }, 10],
      ["input_tokens", { inputTokens: 60 }, 100],
      ["output_tokens", { outputTokens: 85 }, 100],
      ["total_tokens", { totalTokens: 45 }, 100],
      ["cost", { costNanos: cents(750) }, 10],
    ];
    for (const [limitType, u, max] of cases) {
      expect(one({ limitType, maxValue: max }, usage(u), req).allowed).toBe(true);
      const d = one({ limitType, maxValue: limitType === "cost" ? max - 0.01 : max - 1 }, usage(u), req);
      expect(d.allowed).toBe(false);
    }
  });

  it("reports each type's usage and request amount; total = input + completion", () => {
    const req = request({ inputTokens: 40, completionTokens: 15, costNanos: cents(250) });
    const u = usage({ requests: 3, inputTokens: 61, outputTokens: 86, totalTokens: 50, costNanos: cents(751) });
    const tail = (limitType: UsageLimit["limitType"]) => one({ limitType, maxValue: 100 }, u, req).reason?.split(" exceeded. ")[1];
    expect(one({ maxValue: 3 }, u, req).reason).toContain("Current usage: 3.00, request: 1.00.");
    expect(tail("input_tokens")).toBe("Current usage: 61.00, request: 40.00.");
    expect(tail("output_tokens")).toBe("Current usage: 86.00, request: 15.00.");
    expect(tail("total_tokens")).toBe("Current usage: 50.00, request: 55.00.");
    expect(one({ limitType: "cost", maxValue: 10 }, u, req).reason).toBe("GLOBAL limit: $10.00 cost per 1 minute exceeded. Current usage: $7.51, request: $2.50.");
  });

  it("compares money exactly in nano-dollars (0.1 + 0.2 fits a 0.3 limit)", () => {
    expect(one({ limitType: "cost", maxValue: 0.3 }, usage({ costNanos: 100_000_000n }), request({ costNanos: 200_000_000n })).allowed).toBe(true);
    expect(one({ limitType: "cost", maxValue: 0.3 }, usage({ costNanos: 100_000_000n }), request({ costNanos: 200_000_001n })).allowed).toBe(false);
    expect(one({ limitType: "cost", maxValue: 1e-9 }, usage(), request({ costNanos: 1n })).allowed).toBe(true);
  });

  it("treats a fractional count maximum as its whole part", () => {
    expect(one({ maxValue: 2.5 }, usage({ requests: 1 })).allowed).toBe(true);
    expect(one({ maxValue: 2.5 }, usage({ requests: 2 })).allowed).toBe(false);
  });

  it("denies on any negative maximum other than -1, even with nothing used", () => {
    for (const limitType of ["requests", "input_tokens", "cost"] as const) expect(one({ limitType, maxValue: -5 }).allowed).toBe(false);
    expect(one({ limitType: "cost", maxValue: -5 }, usage({ costNanos: -cents(1000) })).allowed).toBe(false);
    expect(one({ limitType: "cost", maxValue: -1 }).allowed).toBe(true);
  });

  it("allows when nothing applies, with no reason and no retry", () => {
    expect(decide([limit({ scope: "USER", username: "nobody", maxValue: 0 })], request(), usage(), NOW)).toEqual({
      allowed: true,
      reason: null,
      retryAfterSeconds: null,
      limit: null,
      resetAt: null,
    });
  });

  it("agrees with plain arithmetic on whole-cent costs (property)", () => {
    fc.assert(
      fc.property(fc.nat(100_000), fc.nat(100_000), fc.nat(100_000), (maxCents, usedCents, askCents) => {
        const d = one({ limitType: "cost", maxValue: maxCents / 100 }, usage({ costNanos: cents(usedCents) }), request({ costNanos: cents(askCents) }));
        expect(d.allowed).toBe(usedCents + askCents <= maxCents);
      }),
    );
  });
});

describe("retry-after and reset", () => {
  const at = (t: string) => new Date(`2024-01-01T${t}Z`);
  const denied = (unit: IntervalUnit, n: number, now: Date, oldest: Date | null = null) =>
    decide([limit({ maxValue: 0, intervalUnit: unit, intervalValue: n })], request(), usage({ oldest }), now);

  it.each([
    ["second", 10, "00:00:05", 5, "00:00:10"],
    ["minute", 1, "00:00:30", 30, "00:01:00"],
    ["minute", 2, "00:00:30", 90, "00:02:00"],
    ["hour", 1, "00:30:00", 1800, "01:00:00"],
    ["day", 1, "12:00:00", 43200, "2024-01-02T00:00:00"],
    ["minute", 1, "00:00:40", 20, "00:01:00"],
    ["minute", 1, "00:00:40.900", 19, "00:01:00"],
  ] as const)("%s N=%i at %s: retry after %i s, reset %s", (unit, n, t, seconds, reset) => {
    const d = denied(unit, n, at(t));
    expect(d.retryAfterSeconds).toBe(seconds);
    expect(d.resetAt).toEqual(reset.includes("T") ? new Date(`${reset}Z`) : at(reset));
  });

  it("gives no retry time to a request larger than the limit itself: no window will ever hold it", () => {
    const cap = limit({ limitType: "cost", maxValue: 5, intervalUnit: "day" });
    const tooBig = decide([cap], request({ costNanos: cents(501) }), usage(), at("12:00:00"));
    expect(tooBig).toMatchObject({ allowed: false, retryAfterSeconds: null, resetAt: null, limit: cap });
    expect(tooBig.reason).toContain("request: $5.01.");
    // A request the limit can hold waits for the window, however full it is now.
    expect(decide([cap], request({ costNanos: cents(500) }), usage({ costNanos: cents(1) }), at("12:00:00")).retryAfterSeconds).toBe(43200);
    expect(decide([cap], request({ costNanos: cents(500) }), usage(), at("12:00:00")).allowed).toBe(true);
  });

  it("week and monthly windows reset at their next start", () => {
    expect(denied("week", 1, at("00:00:00")).resetAt).toEqual(new Date("2024-01-08T00:00:00Z"));
    expect(denied("monthly", 1, new Date("2024-02-10T00:00:00Z")).resetAt).toEqual(new Date("2024-03-01T00:00:00Z"));
    expect(denied("monthly", 1, new Date("2024-02-29T23:59:59Z")).retryAfterSeconds).toBe(1);
  });

  it("rolling windows: when the oldest counted row leaves, at least 1 s away; 0 and no reset if unknown", () => {
    const d = denied("hour_rolling", 1, at("00:30:00"), new Date("2023-12-31T23:40:00.500Z"));
    expect(d.retryAfterSeconds).toBe(601);
    expect(d.resetAt).toEqual(new Date("2024-01-01T00:40:00.500Z"));
    expect(denied("second_rolling", 10, at("00:00:30"), at("00:00:20")).retryAfterSeconds).toBe(1);
    expect(denied("week_rolling", 1, at("00:00:00"), new Date("2023-12-31T00:00:00Z")).retryAfterSeconds).toBe(6 * 86400);
    expect(denied("hour_rolling", 1, at("00:30:00"))).toMatchObject({ retryAfterSeconds: 0, resetAt: null });
  });

  it("monthly_rolling retries N calendar months after the oldest row, clamped to the month's end", () => {
    const d = denied("monthly_rolling", 1, new Date("2024-02-10T00:00:00Z"), new Date("2024-01-31T10:00:00Z"));
    expect(d.resetAt).toEqual(new Date("2024-02-29T10:00:00Z"));
    expect(d.retryAfterSeconds).toBe(19 * 86400 + 10 * 3600);
  });

  it("can be evaluated with the plan's own usage list (a denial on the second query)", () => {
    const first = limit({ scope: "MODEL", model: "gpt-4", maxValue: 5 });
    const second = limit({ maxValue: 5, intervalUnit: "hour" });
    const plan = planQuota([second, first], request(), NOW);
    const d = evaluateQuota(plan, [usage({ requests: 4 }), usage({ requests: 5 })], request(), NOW);
    expect(d.limit).toBe(second);
    expect(d.reason).toBe("GLOBAL limit: 5.00 requests per 1 hour exceeded. Current usage: 5.00, request: 1.00.");
  });
});
