import { describe, expect, it } from "vitest";
import { alertWindow, parseAlertPercents, validateAlertThresholds } from "../src/index.js";
import { limit } from "./quota/fixtures.js";

describe("alertWindow", () => {
  it("keys a fixed window by its start and gives its end", () => {
    const daily = limit({ intervalUnit: "day" });
    const w = alertWindow(daily, new Date("2025-03-04T10:11:12.345Z"));
    expect(w).toEqual({ key: "2025-03-04T00:00:00.000Z", start: new Date("2025-03-04T00:00:00Z"), end: new Date("2025-03-05T00:00:00Z"), quietSince: null });
  });

  it("keys a rolling window by its window-length slot, the same all through the slot", () => {
    const hourly = limit({ intervalUnit: "hour_rolling", intervalValue: 2 });
    const keys = ["2025-03-04T10:00:00.000Z", "2025-03-04T10:59:59.999Z", "2025-03-04T11:30:00.250Z", "2025-03-04T11:59:59.500Z"].map((t) => alertWindow(hourly, new Date(t)).key);
    expect(new Set(keys)).toEqual(new Set(["rolling:2025-03-04T10:00:00.000Z"]));
    const next = alertWindow(hourly, new Date("2025-03-04T12:00:00.100Z"));
    expect(next).toMatchObject({ key: "rolling:2025-03-04T12:00:00.000Z", end: null, quietSince: new Date("2025-03-04T10:00:00.100Z") });
    expect(alertWindow(limit({ intervalUnit: "monthly_rolling" }), new Date("2025-03-04T12:00:00Z")).key).toBe(alertWindow(limit({ intervalUnit: "monthly_rolling" }), new Date("2025-03-05T12:00:00Z")).key);
  });
});

describe("alert thresholds", () => {
  it("parses percent lists into sorted fractions without repeats", () => {
    expect(parseAlertPercents("100, 50,80,50")).toEqual([0.5, 0.8, 1]);
    expect(validateAlertThresholds([1.5, 0.25])).toEqual([0.25, 1.5]);
  });

  it("refuses bad values with one line naming the field", () => {
    expect(() => parseAlertPercents("50,,80")).toThrow(/^alert-at must be comma-separated percentages/);
    expect(() => parseAlertPercents("0")).toThrow(/^alert-at must hold fractions above 0/);
    expect(() => validateAlertThresholds("0.5")).toThrow(/^alertAt must be a list/);
    expect(() => validateAlertThresholds([0.5, Number.NaN])).toThrow(/^alertAt must hold fractions/);
    expect(() => validateAlertThresholds(Array.from({ length: 11 }, (_, i) => (i + 1) / 10))).toThrow(/at most 10 thresholds/);
  });
});
