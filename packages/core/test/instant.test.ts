import { describe, expect, it } from "vitest";
import { parseInstant, ValidationError } from "../src/index.js";

describe("parseInstant", () => {
  it("reads ISO-8601 with Z or an offset", () => {
    expect(parseInstant("2025-01-31T13:45:00Z").toISOString()).toBe("2025-01-31T13:45:00.000Z");
    expect(parseInstant("2025-01-31T15:45:00+02:00").toISOString()).toBe("2025-01-31T13:45:00.000Z");
    expect(parseInstant("2025-01-31T08:15:00.5-0530").toISOString()).toBe("2025-01-31T13:45:00.500Z");
  });

  it("reads strings without an offset as UTC, with a space or a T", () => {
    expect(parseInstant("2025-01-31 13:45:00").toISOString()).toBe("2025-01-31T13:45:00.000Z");
    expect(parseInstant("2025-01-31T13:45").toISOString()).toBe("2025-01-31T13:45:00.000Z");
    expect(parseInstant("2025-01-31").toISOString()).toBe("2025-01-31T00:00:00.000Z");
    expect(parseInstant("2025-01-31 13:45:00.123456").toISOString()).toBe("2025-01-31T13:45:00.123Z");
  });

  it("passes valid Dates through", () => {
    const d = new Date();
    expect(parseInstant(d)).toBe(d);
  });

  it.each(["yesterday", "2025-02-30 10:00:00", "2025-13-01", "2025-01-31 25:00:00", "", "1700000000"])("rejects %j", (text) => {
    expect(() => parseInstant(text, "timestamp")).toThrow(ValidationError);
    expect(() => parseInstant(text, "timestamp")).toThrow(/^timestamp is not a valid timestamp/);
  });

  it("rejects an invalid Date", () => {
    expect(() => parseInstant(new Date("nope"), "start")).toThrow("start is an invalid Date");
  });
});
