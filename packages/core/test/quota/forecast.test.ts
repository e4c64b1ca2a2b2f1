import { describe, expect, it } from "vitest";
import { burnRatePerHour, forecastUsage, forecastsFromUsage, planForecast, statusFromUsage, planStatus } from "../../src/quota/index.js";
import { cents, limit, row, sumRows, usage } from "./fixtures.js";

const NOW = new Date("2024-01-01T10:00:00.000Z");
const HOUR = 3_600_000;
const at = (msBeforeNow: number) => new Date(NOW.getTime() - msBeforeNow);

describe("burnRatePerHour", () => {
  it("weights the last hour and the last day's hourly mean equally", () => {
    expect(burnRatePerHour(10, 240)).toBe(0.5 * 10 + 0.5 * 10);
    expect(burnRatePerHour(0, 48)).toBe(1);
    expect(burnRatePerHour(4, 4)).toBeCloseTo(2 + 4 / 48, 12);
  });
});

describe("forecastUsage", () => {
  const fixed = { now: NOW, windowEnd: new Date(NOW.getTime() + 5 * HOUR), rollingWindowMs: 0, maxValue: 10 };

  it("projects a fixed window to its end and says when the limit is reached", () => {
    const f = forecastUsage({ ...fixed, used: 4, lastHour: 1, lastDay: 24 });
    expect(f.burnRatePerHour).toBe(1);
    expect(f.projectedUsage).toBe(9);
    expect(f.limitReachedAt).toBeNull(); // 6 left at 1/h, but only 5 h remain

    const fast = forecastUsage({ ...fixed, used: 4, lastHour: 3, lastDay: 24 }); // 2/h
    expect(fast.projectedUsage).toBe(14);
    expect(fast.limitReachedAt).toEqual(new Date(NOW.getTime() + 3 * HOUR));
  });

  it("reports a limit already reached as reached now, and no date without a rate or a maximum", () => {
    expect(forecastUsage({ ...fixed, used: 10, lastHour: 0, lastDay: 0 }).limitReachedAt).toEqual(NOW);
    expect(forecastUsage({ ...fixed, used: 9, lastHour: 0, lastDay: 0 })).toEqual({ burnRatePerHour: 0, projectedUsage: 9, limitReachedAt: null });
    expect(forecastUsage({ ...fixed, maxValue: null, used: 9, lastHour: 5, lastDay: 5 }).limitReachedAt).toBeNull();
  });

  it("projects a rolling window as one full window at the current rate", () => {
    const rolling = { now: NOW, windowEnd: null, rollingWindowMs: 24 * HOUR, maxValue: 100 };
    const f = forecastUsage({ ...rolling, used: 30, lastHour: 6, lastDay: 48 }); // 3 + 1 = 4/h
    expect(f.projectedUsage).toBe(96);
    expect(f.limitReachedAt).toBeNull();
    const hot = forecastUsage({ ...rolling, used: 30, lastHour: 14, lastDay: 48 }); // 8/h
    expect(hot.projectedUsage).toBe(192);
    expect(hot.limitReachedAt).toEqual(new Date(NOW.getTime() + (70 / 8) * HOUR));
  });
});

describe("forecasts of stored limits (injected clock)", () => {
  it("sums the last hour and day of each limit's filter and projects to the window's end", () => {
    // $10 a day, fixed; usage: $1 two hours ago, $2 ten minutes ago, $5 two days ago (outside both rates).
    const daily = limit({ limitType: "cost", maxValue: 10, intervalUnit: "day" });
    const other = limit({ scope: "USER", username: "someone-else", limitType: "cost", maxValue: 10, intervalUnit: "day" });
    const rows = [row(at(2 * HOUR), { costNanos: cents(100) }), row(at(10 * 60_000), { costNanos: cents(200) }), row(at(48 * HOUR), { costNanos: cents(500) })];
    const limits = [daily, other];
    const windows = planStatus(limits, NOW).map((q) => sumRows(rows, q));
    const rates = planForecast(limits, NOW).map((q) => sumRows(rows, q));
    expect(planForecast(limits, NOW)[0]).toMatchObject({ start: at(HOUR), end: NOW });
    const [mine, theirs] = forecastsFromUsage(limits, [3, 0], rates, NOW);
    // rate = 0.5 * 2 + 0.5 * 3 / 24 = 1.0625 $/h; 14 h left in the UTC day.
    expect(mine!.burnRatePerHour).toBeCloseTo(1.0625, 9);
    expect(mine!.projectedUsage).toBeCloseTo(3 + 14 * 1.0625, 9);
    expect(mine!.limitReachedAt).toEqual(new Date(NOW.getTime() + Math.ceil((7 / 1.0625) * HOUR)));
    expect(theirs).toEqual({ burnRatePerHour: 0, projectedUsage: 0, limitReachedAt: null });
    const status = statusFromUsage(limits, windows, NOW, rates);
    expect(status[0]!.forecast).toEqual(mine);
  });

  it("gives unlimited limits no forecast", () => {
    const unlimited = limit({ maxValue: -1 });
    expect(forecastsFromUsage([unlimited], [5], [usage(), usage()], NOW)).toEqual([null]);
  });
});
