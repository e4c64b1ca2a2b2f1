import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.js";
import { addMonthsUtc, checkInterval, INTERVAL_UNITS, isRolling, rollingRetryAt, windowReset, windowStart, type IntervalUnit } from "../../src/quota/index.js";

const NOW = new Date("2024-03-15T13:47:38.123Z"); // a Friday
const iso = (d: Date | null) => d?.toISOString().replace(".000Z", "Z") ?? null;

describe("windowStart and windowReset: a worked example (now = 2024-03-15T13:47:38.123Z)", () => {
  // [unit, N, start, reset] for each unit and N in 1, 2, 3, 7 (docs/behaviour.md, "Windows"); monthly_rolling
  // reaches back to the same day, not the 1st as the original did.
  const table: [IntervalUnit, number, string, string | null][] = [
    ["second", 1, "2024-03-15T13:47:38Z", "2024-03-15T13:47:39Z"],
    ["second", 2, "2024-03-15T13:47:38Z", "2024-03-15T13:47:40Z"],
    ["second", 3, "2024-03-15T13:47:36Z", "2024-03-15T13:47:39Z"],
    ["second", 7, "2024-03-15T13:47:35Z", "2024-03-15T13:47:42Z"],
    ["minute", 1, "2024-03-15T13:47:00Z", "2024-03-15T13:48:00Z"],
    ["minute", 2, "2024-03-15T13:46:00Z", "2024-03-15T13:48:00Z"],
    ["minute", 3, "2024-03-15T13:45:00Z", "2024-03-15T13:48:00Z"],
    ["minute", 7, "2024-03-15T13:42:00Z", "2024-03-15T13:49:00Z"],
    ["hour", 1, "2024-03-15T13:00:00Z", "2024-03-15T14:00:00Z"],
    ["hour", 2, "2024-03-15T12:00:00Z", "2024-03-15T14:00:00Z"],
    ["hour", 3, "2024-03-15T12:00:00Z", "2024-03-15T15:00:00Z"],
    ["hour", 7, "2024-03-15T07:00:00Z", "2024-03-15T14:00:00Z"],
    ["day", 1, "2024-03-15T00:00:00Z", "2024-03-16T00:00:00Z"],
    ["day", 2, "2024-03-14T00:00:00Z", "2024-03-16T00:00:00Z"],
    ["day", 3, "2024-03-15T00:00:00Z", "2024-03-18T00:00:00Z"],
    ["day", 7, "2024-03-14T00:00:00Z", "2024-03-21T00:00:00Z"],
    ["week", 1, "2024-03-11T00:00:00Z", "2024-03-18T00:00:00Z"],
    ["week", 2, "2024-03-04T00:00:00Z", "2024-03-18T00:00:00Z"],
    ["week", 3, "2024-03-04T00:00:00Z", "2024-03-25T00:00:00Z"],
    ["week", 7, "2024-01-29T00:00:00Z", "2024-03-18T00:00:00Z"],
    ["monthly", 1, "2024-03-01T00:00:00Z", "2024-04-01T00:00:00Z"],
    ["monthly", 2, "2024-03-01T00:00:00Z", "2024-05-01T00:00:00Z"],
    ["monthly", 3, "2024-01-01T00:00:00Z", "2024-04-01T00:00:00Z"],
    ["monthly", 7, "2024-03-01T00:00:00Z", "2024-10-01T00:00:00Z"],
    ["minute_rolling", 1, "2024-03-15T13:46:38Z", null],
    ["minute_rolling", 2, "2024-03-15T13:45:38Z", null],
    ["minute_rolling", 3, "2024-03-15T13:44:38Z", null],
    ["minute_rolling", 7, "2024-03-15T13:40:38Z", null],
    ["day_rolling", 1, "2024-03-14T13:47:38Z", null],
    ["day_rolling", 2, "2024-03-13T13:47:38Z", null],
    ["day_rolling", 3, "2024-03-12T13:47:38Z", null],
    ["day_rolling", 7, "2024-03-08T13:47:38Z", null],
    ["week_rolling", 1, "2024-03-08T13:47:38Z", null],
    ["week_rolling", 2, "2024-03-01T13:47:38Z", null],
    ["week_rolling", 3, "2024-02-23T13:47:38Z", null],
    ["week_rolling", 7, "2024-01-26T13:47:38Z", null],
    ["monthly_rolling", 1, "2024-02-15T13:47:38Z", null],
    ["monthly_rolling", 2, "2024-01-15T13:47:38Z", null],
    ["monthly_rolling", 3, "2023-12-15T13:47:38Z", null],
    ["monthly_rolling", 7, "2023-08-15T13:47:38Z", null],
  ];
  it.each(table)("%s N=%i starts %s and resets %s", (unit, n, start, reset) => {
    expect(iso(windowStart(NOW, unit, n))).toBe(start);
    expect(iso(windowReset(NOW, unit, n))).toBe(reset);
  });

  it("pins the values of the original's tests", () => {
    expect(iso(windowStart(new Date("2024-03-15T10:37:45Z"), "monthly", 1))).toBe("2024-03-01T00:00:00Z");
    expect(iso(windowStart(new Date("2024-04-02T10:37:45Z"), "monthly", 1))).toBe("2024-04-01T00:00:00Z");
    expect(iso(windowStart(new Date("2024-03-15T10:37:45Z"), "day", 1))).toBe("2024-03-15T00:00:00Z");
    expect(iso(windowStart(new Date("2024-03-15T10:37:45Z"), "hour", 1))).toBe("2024-03-15T10:00:00Z");
    expect(iso(windowStart(new Date("2024-03-15T10:37:45Z"), "minute", 5))).toBe("2024-03-15T10:35:00Z");
    expect(iso(windowStart(new Date("2024-03-15T10:37:45.123Z"), "second", 10))).toBe("2024-03-15T10:37:40Z");
    expect(iso(windowStart(new Date("2024-03-13T10:00:00Z"), "week", 1))).toBe("2024-03-11T00:00:00Z");
    expect(iso(windowStart(new Date("2024-03-11T10:00:00Z"), "week", 2))).toBe("2024-03-04T00:00:00Z");
    expect(iso(windowStart(new Date("2024-01-01T01:00:00Z"), "hour_rolling", 1))).toBe("2024-01-01T00:00:00Z");
  });

  it("clamps month arithmetic to the end of shorter months, leap years included", () => {
    expect(iso(windowStart(new Date("2024-03-31T12:00:00Z"), "monthly_rolling", 1))).toBe("2024-02-29T12:00:00Z");
    expect(iso(windowStart(new Date("2023-03-31T12:00:00Z"), "monthly_rolling", 1))).toBe("2023-02-28T12:00:00Z");
    expect(iso(addMonthsUtc(new Date("2024-01-31T00:00:00Z"), 1))).toBe("2024-02-29T00:00:00Z");
    expect(iso(rollingRetryAt(new Date("2024-02-29T08:00:00Z"), "monthly_rolling", 12))).toBe("2025-02-28T08:00:00Z");
    expect(iso(windowReset(new Date("2024-12-31T23:59:59Z"), "monthly", 1))).toBe("2025-01-01T00:00:00Z");
    expect(iso(windowStart(new Date("2024-12-31T23:59:59Z"), "monthly", 12))).toBe("2024-01-01T00:00:00Z");
  });

  it("rejects a bad interval or unit, naming the field", () => {
    expect(() => windowStart(NOW, "minute", 0)).toThrow(ValidationError);
    expect(() => windowStart(NOW, "minute", 1.5)).toThrow("intervalValue must be a positive integer (got 1.5)");
    expect(() => windowStart(NOW, "month" as IntervalUnit, 1)).toThrow(/^intervalUnit must be one of second, minute/);
    for (const n of [-1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(() => windowStart(NOW, "day", n)).toThrow(/^intervalValue must be a positive integer/);
      expect(() => windowReset(NOW, "day_rolling", n)).toThrow(/^intervalValue/);
      expect(() => rollingRetryAt(NOW, "monthly_rolling", n)).toThrow(/^intervalValue/);
    }
    expect(() => windowReset(NOW, "fortnight" as IntervalUnit, 1)).toThrow(/monthly_rolling \(got "fortnight"\)$/);
    expect(() => checkInterval("week", 3)).not.toThrow();
    try {
      checkInterval("hours" as IntervalUnit, 1);
    } catch (e) {
      expect((e as ValidationError).field).toBe("intervalUnit");
    }
  });
});

describe("window edges", () => {
  const at = (s: string) => new Date(s);
  it("cuts now to whole seconds before anything else", () => {
    expect(iso(windowStart(at("2024-03-15T13:47:38.999Z"), "minute_rolling", 1))).toBe("2024-03-15T13:46:38Z");
    expect(iso(windowStart(at("2024-03-15T13:47:59.999Z"), "second", 1))).toBe("2024-03-15T13:47:59Z");
    expect(iso(windowReset(at("2024-03-15T13:47:59.999Z"), "second", 1))).toBe("2024-03-15T13:48:00Z");
  });

  it("ends a window cut short by its minute, hour or day there, where the next one starts", () => {
    expect([iso(windowStart(at("2024-03-15T13:47:58Z"), "second", 7)), iso(windowReset(at("2024-03-15T13:47:58Z"), "second", 7))]).toEqual([
      "2024-03-15T13:47:56Z",
      "2024-03-15T13:48:00Z",
    ]);
    expect(iso(windowReset(at("2024-03-15T13:59:00Z"), "minute", 7))).toBe("2024-03-15T14:00:00Z");
    expect(iso(windowStart(at("2024-03-15T23:10:00Z"), "hour", 5))).toBe("2024-03-15T20:00:00Z");
    expect(iso(windowReset(at("2024-03-15T23:10:00Z"), "hour", 5))).toBe("2024-03-16T00:00:00Z");
    expect(iso(windowStart(at("2024-03-16T00:00:00Z"), "hour", 5))).toBe("2024-03-16T00:00:00Z");
  });

  it("aligns days and weeks to the epoch, also before 1970", () => {
    expect(iso(windowStart(at("1970-01-02T05:00:00Z"), "day", 2))).toBe("1970-01-01T00:00:00Z");
    expect(iso(windowStart(at("1969-12-31T05:00:00Z"), "day", 2))).toBe("1969-12-30T00:00:00Z");
    expect(iso(windowStart(at("1970-01-01T00:00:00Z"), "week", 1))).toBe("1969-12-29T00:00:00Z");
    expect(iso(windowStart(at("1970-01-18T23:59:59Z"), "week", 2))).toBe("1970-01-05T00:00:00Z");
    expect(iso(windowStart(at("1970-01-19T00:00:00Z"), "week", 2))).toBe("1970-01-19T00:00:00Z");
  });

  it("crosses year boundaries in UTC", () => {
    expect(iso(windowStart(at("2025-01-01T10:00:00Z"), "week", 1))).toBe("2024-12-30T00:00:00Z");
    expect(iso(windowReset(at("2024-12-31T23:59:59Z"), "day", 1))).toBe("2025-01-01T00:00:00Z");
    expect(iso(windowReset(at("2024-12-31T23:59:59Z"), "hour", 1))).toBe("2025-01-01T00:00:00Z");
    expect(iso(windowStart(at("2025-01-01T00:00:00+01:00"), "monthly", 1))).toBe("2024-12-01T00:00:00Z");
    expect(iso(windowStart(at("2024-11-20T00:00:00Z"), "monthly", 3))).toBe("2024-10-01T00:00:00Z");
    expect(iso(windowReset(at("2024-11-20T00:00:00Z"), "monthly", 3))).toBe("2025-01-01T00:00:00Z");
    expect(iso(windowStart(at("2024-01-10T00:00:00Z"), "monthly_rolling", 1))).toBe("2023-12-10T00:00:00Z");
    expect(iso(windowStart(at("2024-01-10T00:00:00Z"), "week_rolling", 2))).toBe("2023-12-27T00:00:00Z");
  });

  it("handles leap days", () => {
    expect(iso(windowStart(at("2024-02-29T18:00:00Z"), "day", 1))).toBe("2024-02-29T00:00:00Z");
    expect(iso(windowReset(at("2024-02-29T18:00:00Z"), "day", 1))).toBe("2024-03-01T00:00:00Z");
    expect(iso(windowReset(at("2023-02-28T18:00:00Z"), "day", 1))).toBe("2023-03-01T00:00:00Z");
    expect(iso(windowStart(at("2024-03-01T06:00:00Z"), "day_rolling", 1))).toBe("2024-02-29T06:00:00Z");
    expect(iso(windowStart(at("2024-05-31T06:00:00Z"), "monthly_rolling", 3))).toBe("2024-02-29T06:00:00Z");
    expect(iso(windowStart(at("2025-02-28T06:00:00Z"), "monthly_rolling", 12))).toBe("2024-02-28T06:00:00Z");
    expect(iso(windowStart(at("2024-03-30T06:00:00Z"), "monthly_rolling", 1))).toBe("2024-02-29T06:00:00Z");
    expect(iso(windowStart(at("2100-03-31T06:00:00Z"), "monthly_rolling", 1))).toBe("2100-02-28T06:00:00Z");
  });

  it("tells a row's exit time from a rolling window for every rolling unit", () => {
    const oldest = at("2024-03-15T13:47:38.500Z");
    expect(iso(rollingRetryAt(oldest, "second_rolling", 10))).toBe("2024-03-15T13:47:48.500Z");
    expect(iso(rollingRetryAt(oldest, "minute_rolling", 2))).toBe("2024-03-15T13:49:38.500Z");
    expect(iso(rollingRetryAt(oldest, "hour_rolling", 24))).toBe("2024-03-16T13:47:38.500Z");
    expect(iso(rollingRetryAt(oldest, "day_rolling", 17))).toBe("2024-04-01T13:47:38.500Z");
    expect(iso(rollingRetryAt(oldest, "week_rolling", 3))).toBe("2024-04-05T13:47:38.500Z");
    expect(iso(rollingRetryAt(oldest, "monthly_rolling", 10))).toBe("2025-01-15T13:47:38.500Z");
    expect(iso(rollingRetryAt(at("2024-10-31T00:00:00Z"), "monthly_rolling", 4))).toBe("2025-02-28T00:00:00Z");
    expect(INTERVAL_UNITS.filter(isRolling)).toEqual(["second_rolling", "minute_rolling", "hour_rolling", "day_rolling", "week_rolling", "monthly_rolling"]);
  });
});

const FIXED: IntervalUnit[] = ["second", "minute", "hour", "day", "week", "monthly"];
const ROLLING: [IntervalUnit, number][] = [["second_rolling", 1e3], ["minute_rolling", 6e4], ["hour_rolling", 3.6e6], ["day_rolling", 8.64e7], ["week_rolling", 6.048e8]];
// Instants from 1971 to 2100 at millisecond resolution.
const instant = fc.integer({ min: 365 * 86_400_000, max: 4_102_444_800_000 }).map((t) => new Date(t));

describe("window properties", () => {
  it("fixed windows tile time: start <= now < reset, and every instant of a window maps to it", () => {
    fc.assert(
      fc.property(instant, fc.constantFrom(...FIXED), fc.integer({ min: 1, max: 12 }), fc.double({ min: 0, max: 1, noNaN: true }), (now, unit, n, f) => {
        const start = windowStart(now, unit, n);
        const reset = windowReset(now, unit, n)!;
        const secondOfNow = Math.floor(now.getTime() / 1000) * 1000;
        expect(start.getTime()).toBeLessThanOrEqual(secondOfNow);
        expect(reset.getTime()).toBeGreaterThan(secondOfNow);
        const inside = new Date(start.getTime() + Math.floor(f * (reset.getTime() - start.getTime() - 1)));
        expect(windowStart(inside, unit, n).getTime()).toBe(start.getTime());
        // No gap, no overlap: the next window starts exactly where this one resets.
        expect(windowStart(reset, unit, n).getTime()).toBe(reset.getTime());
        expect(windowStart(new Date(start.getTime() - 1), unit, n).getTime()).toBeLessThan(start.getTime());
      }),
      { numRuns: 3000 },
    );
  });

  it("rolling windows cover exactly the last N units (N calendar months for monthly_rolling)", () => {
    fc.assert(
      fc.property(instant, fc.constantFrom(...ROLLING), fc.integer({ min: 1, max: 12 }), (now, [unit, ms], n) => {
        const secondOfNow = Math.floor(now.getTime() / 1000) * 1000;
        expect(windowStart(now, unit, n).getTime()).toBe(secondOfNow - n * ms);
        expect(windowReset(now, unit, n)).toBeNull();
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 24 }), (now, n) => {
        const start = windowStart(now, "monthly_rolling", n);
        const monthsBack = (now.getUTCFullYear() - start.getUTCFullYear()) * 12 + now.getUTCMonth() - start.getUTCMonth();
        expect(monthsBack).toBe(n);
        expect(start.getUTCDate()).toBeLessThanOrEqual(now.getUTCDate());
        expect(start.toISOString().slice(10, 19)).toBe(new Date(Math.floor(now.getTime() / 1000) * 1000).toISOString().slice(10, 19));
      }),
      { numRuns: 2000 },
    );
  });

  it("covers every unit", () => {
    expect([...FIXED, ...ROLLING.map(([u]) => u), "monthly_rolling"].sort()).toEqual([...INTERVAL_UNITS].sort());
  });
});
