import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  releaseAtFromRows,
  rollingExitAt,
  windowStart,
  type CountedAmount,
  type HeldAmount,
  type IntervalUnit,
  type ReleaseNeed,
} from "../../src/quota/index.js";
import { cents, check, limit, request, row } from "./fixtures.js";

const ROLLING: IntervalUnit[] = ["second_rolling", "minute_rolling", "hour_rolling", "day_rolling", "week_rolling", "monthly_rolling"];
const NOW = Date.parse("2024-03-31T10:20:30.250Z");

/** Usage of a window at instant `t`, straight from the window's definition (the oracle). */
function usageAt(t: number, need: ReleaseNeed, rows: readonly CountedAmount[], holds: readonly HeldAmount[]): bigint {
  const start = windowStart(new Date(t), need.unit, need.intervalValue).getTime();
  let sum = 0n;
  for (const r of rows) if (r.at >= start) sum += r.amount;
  for (const h of holds) if (h.createdAt >= start && h.expiresAt > t) sum += h.amount;
  return sum;
}

describe("rollingExitAt", () => {
  it("is the first instant from which windows no longer reach the row (property, all rolling units)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ROLLING),
        fc.integer({ min: 1, max: 14 }),
        fc.integer({ min: Date.parse("2023-01-01T00:00:00Z"), max: Date.parse("2026-01-01T00:00:00Z") }),
        (unit, n, at) => {
          const exit = rollingExitAt(new Date(at), unit, n).getTime();
          expect(windowStart(new Date(exit), unit, n).getTime()).toBeGreaterThan(at);
          expect(windowStart(new Date(exit - 1), unit, n).getTime()).toBeLessThanOrEqual(at);
          // ... and for good: the windows of the following days start later still.
          for (let k = 1; k <= 3; k++) expect(windowStart(new Date(exit + k * 86_399_000), unit, n).getTime()).toBeGreaterThan(at);
        },
      ),
    );
  });

  it("keeps a row exactly N units old, and clamps months to their end", () => {
    expect(rollingExitAt(new Date("2024-01-01T00:00:00Z"), "hour_rolling", 1)).toEqual(new Date("2024-01-01T01:00:01Z"));
    expect(rollingExitAt(new Date("2024-01-01T00:00:00.999Z"), "hour_rolling", 1)).toEqual(new Date("2024-01-01T01:00:01Z"));
    // February reaches back to January 29 at most: the row leaves on March 1.
    expect(rollingExitAt(new Date("2024-01-31T10:00:00Z"), "monthly_rolling", 1)).toEqual(new Date("2024-03-01T00:00:00Z"));
    // No February 30: every instant of February reaches back before January 30 at 10:00.
    expect(rollingExitAt(new Date("2024-01-30T10:00:00Z"), "monthly_rolling", 1)).toEqual(new Date("2024-03-01T00:00:00Z"));
    // March 30 and 31 reach back to February 29 at their own time of day.
    expect(rollingExitAt(new Date("2024-02-29T10:00:00Z"), "monthly_rolling", 1)).toEqual(new Date("2024-03-31T10:00:01Z"));
    expect(rollingExitAt(new Date("2024-01-15T10:00:00Z"), "monthly_rolling", 1)).toEqual(new Date("2024-02-15T10:00:01Z"));
  });
});

describe("releaseAtFromRows: when enough usage has left a rolling window", () => {
  const scenario = fc
    .record({
      unit: fc.constantFrom(...ROLLING),
      n: fc.integer({ min: 1, max: 3 }),
      rows: fc.array(fc.record({ back: fc.double({ min: 0, max: 1, noNaN: true }), amount: fc.bigInt({ min: 0n, max: 50n }) }), { maxLength: 40 }),
      holds: fc.array(
        fc.record({ back: fc.double({ min: 0, max: 1, noNaN: true }), life: fc.integer({ min: 1, max: 200_000_000 }), amount: fc.bigInt({ min: 0n, max: 50n }) }),
        { maxLength: 4 },
      ),
      share: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    .map(({ unit, n, rows, holds, share }) => {
      const start = windowStart(new Date(NOW), unit, n).getTime();
      // Timestamps anywhere in the window at NOW, on whole seconds or not.
      const inWindow = (back: number) => Math.round(NOW - back * (NOW - start));
      const counted = rows.map((r) => ({ at: inWindow(r.back), amount: r.amount }));
      const held = holds.map((h) => ({ createdAt: inWindow(h.back), expiresAt: NOW + h.life, amount: h.amount }));
      const need: ReleaseNeed = { type: "total_tokens", ceiling: 0n, unit, intervalValue: n };
      const total = usageAt(NOW, need, counted, held);
      const ceiling = BigInt(Math.floor(Number(total) * share));
      return { need: { ...need, ceiling }, counted, held, total };
    })
    .filter(({ need, total }) => total > need.ceiling);

  it("at the returned instant the usage fits, a millisecond earlier it does not (property)", () => {
    fc.assert(
      fc.property(scenario, ({ need, counted, held, total }) => {
        const at = releaseAtFromRows(need, total - need.ceiling, counted, held);
        expect(at).not.toBeNull();
        const t = at!.getTime();
        expect(t).toBeGreaterThan(NOW);
        expect(usageAt(t, need, counted, held)).toBeLessThanOrEqual(need.ceiling);
        expect(usageAt(t - 1, need, counted, held)).toBeGreaterThan(need.ceiling);
      }),
      { numRuns: 500 },
    );
  });

  it("waits for as many rows as the excess needs, not just the oldest one", () => {
    const need: ReleaseNeed = { type: "requests", ceiling: 2n, unit: "minute_rolling", intervalValue: 1 };
    const rows = [0, 10, 20, 30, 40].map((s) => ({ at: NOW - 50_250 + s * 1000, amount: 1n }));
    // 5 in the window, 2 allowed: the third oldest (10:20:00) must go; it is a minute old at 10:21:00.
    expect(releaseAtFromRows(need, 3n, rows, [])).toEqual(new Date("2024-03-31T10:21:01Z"));
  });

  it("counts a reservation gone when it expires, before its row would leave the window", () => {
    const need: ReleaseNeed = { type: "requests", ceiling: 0n, unit: "hour_rolling", intervalValue: 1 };
    const expiresAt = NOW + 5_000;
    expect(releaseAtFromRows(need, 1n, [], [{ createdAt: NOW - 1000, expiresAt, amount: 1n }])).toEqual(new Date(expiresAt));
    // With a row in the window too, both must go: the row's exit comes later.
    const row = { at: NOW - 60_000, amount: 1n };
    expect(releaseAtFromRows(need, 2n, [row], [{ createdAt: NOW - 1000, expiresAt, amount: 1n }])).toEqual(rollingExitAt(new Date(row.at), "hour_rolling", 1));
  });
});

describe("rolling retry times of a check", () => {
  const now = new Date("2024-03-15T13:47:38.000Z");
  const DAY = 86_400_000;

  it("the issue's case: 6,901 requests in a 7-day window of 5,000 retry once 1,902 have left", () => {
    const cap = limit({ limitType: "requests", maxValue: 5000, intervalUnit: "week_rolling" });
    // One row every 87 s going back from now (about 6.95 days), the oldest first in time.
    const tracked = Array.from({ length: 6901 }, (_, i) => row(new Date(now.getTime() - (6900 - i) * 87_000)));
    const d = check([cap], request(), tracked, now);
    expect(d.allowed).toBe(false);
    // 6,901 + 1 must fall to 5,000: the 1,902nd oldest (index 1901) has to leave.
    const expected = new Date(tracked[1901]!.at.getTime() + 7 * DAY + 1000);
    expect(d.resetAt).toEqual(expected);
    expect(d.retryAfterSeconds).toBe((expected.getTime() - now.getTime()) / 1000);
    expect(d.retryAfterSeconds).toBeGreaterThan(1.9 * 86_400);
    // Just before, the request is still denied; at the retry time it fits.
    expect(check([cap], request(), tracked, new Date(expected.getTime() - 1000)).allowed).toBe(false);
    expect(check([cap], request(), tracked, expected).allowed).toBe(true);
  });

  it("cost: waits until rows worth the request have left, not just the smaller oldest one", () => {
    const cap = limit({ limitType: "cost", maxValue: 1, intervalUnit: "hour_rolling" });
    const tracked = [row(new Date(now.getTime() - 50 * 60_000), { costNanos: cents(10) }), row(new Date(now.getTime() - 20 * 60_000), { costNanos: cents(90) })];
    const d = check([cap], request({ costNanos: cents(30) }), tracked, now);
    expect(d.allowed).toBe(false);
    // The oldest row frees $0.10 at +10 min; $0.30 needs the second one gone, at +40 min.
    expect(d.resetAt).toEqual(new Date(now.getTime() + 40 * 60_000 + 1000));
    expect(d.retryAfterSeconds).toBe(40 * 60 + 1);
  });

  it("tokens: every limit type asks for its own amount", () => {
    const cap = limit({ limitType: "input_tokens", maxValue: 1000, intervalUnit: "minute_rolling" });
    const tracked = [10, 20, 30].map((s) => row(new Date(now.getTime() - (60 - s) * 1000), { inputTokens: 300 }));
    // 900 used + 400 asked: 300 must leave, the oldest row (50 s old) is gone in 11 s.
    expect(check([cap], request({ inputTokens: 400 }), tracked, now).retryAfterSeconds).toBe(11);
    // 900 + 800: 700 must leave, all three rows (the newest is 30 s old).
    expect(check([cap], request({ inputTokens: 800 }), tracked, now).retryAfterSeconds).toBe(31);
    expect(check([cap], request({ inputTokens: 1001 }), tracked, now)).toMatchObject({ retryAfterSeconds: null, resetAt: null });
  });

  it("waits for the latest of every limit the request exceeds", () => {
    const perMinute = limit({ maxValue: 2, intervalUnit: "minute_rolling" });
    const perHour = limit({ maxValue: 3, intervalUnit: "hour_rolling" });
    const tracked = [row(new Date(now.getTime() - 30 * 60_000)), row(new Date(now.getTime() - 20 * 60_000)), row(new Date(now.getTime() - 10_000)), row(new Date(now.getTime() - 5_000))];
    const d = check([perMinute, perHour], request(), tracked, now);
    expect(d.limit).toBe(perMinute);
    // The minute frees up in 51 s, but the hour holds 4 of 3 until two rows have left it (in 40 min).
    expect(d.retryAfterSeconds).toBe(40 * 60 + 1);
  });
});
