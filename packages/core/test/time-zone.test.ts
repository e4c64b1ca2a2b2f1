import { describe, expect, it } from "vitest";
import { dayIn, dayStartIn, wallTimeIn } from "../src/index.js";

describe("time zones", () => {
  it("shows the wall clock of a zone, across a daylight-saving change", () => {
    expect(wallTimeIn(new Date("2025-03-30T00:59:59.250Z"), "Europe/Prague").toISOString()).toBe("2025-03-30T01:59:59.250Z");
    expect(wallTimeIn(new Date("2025-03-30T01:00:00.000Z"), "Europe/Prague").toISOString()).toBe("2025-03-30T03:00:00.000Z");
    expect(wallTimeIn(new Date("2025-03-30T01:00:00.000Z"), "UTC").toISOString()).toBe("2025-03-30T01:00:00.000Z");
  });

  it("finds a day's first instant, rolling days past the month's end over", () => {
    expect(dayStartIn({ year: 2025, month: 3, day: 31 }, "Europe/Prague").toISOString()).toBe("2025-03-30T22:00:00.000Z");
    expect(dayStartIn({ year: 2025, month: 2, day: 29 }, "UTC").toISOString()).toBe("2025-03-01T00:00:00.000Z");
    expect(dayIn(new Date("2025-03-30T22:30:00Z"), "Europe/Prague")).toEqual({ year: 2025, month: 3, day: 31 });
  });
});
