import { describe, expect, it } from "vitest";
import { parseTimeBound } from "@llm-accounting/core";
import { rangeBounds } from "../src/context/time-bound.js";

const NOW = new Date("2025-03-14T15:20:30.000Z");
const at = (text: string, edge: "start" | "end" = "start") => parseTimeBound(text, edge, NOW)?.toISOString();

describe("parseTimeBound", () => {
  it("takes a day as its first instant for a start and its last for an end", () => {
    expect(at("2025-01-31")).toBe("2025-01-31T00:00:00.000Z");
    expect(at("2025-01-31", "end")).toBe("2025-01-31T23:59:59.999Z");
    expect(at(" 2024-02-29 ")).toBe("2024-02-29T00:00:00.000Z");
  });

  it("takes today and yesterday as UTC days", () => {
    expect(at("today")).toBe("2025-03-14T00:00:00.000Z");
    expect(at("Today", "end")).toBe("2025-03-14T23:59:59.999Z");
    expect(at("yesterday")).toBe("2025-03-13T00:00:00.000Z");
    expect(at("yesterday", "end")).toBe("2025-03-13T23:59:59.999Z");
    expect(at("now", "end")).toBe(NOW.toISOString());
  });

  it("takes an age as that long before now, on either edge", () => {
    expect(at("7d")).toBe("2025-03-07T15:20:30.000Z");
    expect(at("24h", "end")).toBe("2025-03-13T15:20:30.000Z");
    expect(at("30m")).toBe("2025-03-14T14:50:30.000Z");
    expect(at("90s")).toBe("2025-03-14T15:19:00.000Z");
    expect(at("2w")).toBe("2025-02-28T15:20:30.000Z");
    expect(at("0d")).toBe(NOW.toISOString());
  });

  it("takes instants as given, UTC when no offset", () => {
    expect(at("2025-01-31T13:45:00Z", "end")).toBe("2025-01-31T13:45:00.000Z");
    expect(at("2025-01-31T13:45:00+02:00")).toBe("2025-01-31T11:45:00.000Z");
    expect(at("2025-01-31 13:45:00")).toBe("2025-01-31T13:45:00.000Z");
  });

  it("returns undefined for anything else", () => {
    for (const text of ["", "tomorrow", "2025-02-30", "2025-1-1", "7", "7y", "-7d", "7 d", "1.5h", "99999999999999999d", "2025-01-31T25:00:00Z"]) {
      expect(at(text), text).toBeUndefined();
    }
  });
});

describe("rangeBounds", () => {
  const day = (d: string) => new Date(`${d}T00:00:00Z`);
  it("takes --start/--end as --since/--until", () => {
    expect(rangeBounds({ start: day("2025-01-01"), end: day("2025-01-02") })).toEqual({ since: day("2025-01-01"), until: day("2025-01-02") });
    expect(rangeBounds({ since: day("2025-01-01") })).toEqual({ since: day("2025-01-01") });
    expect(rangeBounds({})).toEqual({});
  });
  it("refuses an end before the start, in the spelling typed", () => {
    expect(() => rangeBounds({ since: day("2025-01-02"), until: day("2025-01-01") })).toThrow("--until must not be before --since");
    expect(() => rangeBounds({ start: day("2025-01-02"), end: day("2025-01-01") })).toThrow("--end must not be before --start");
  });
});
