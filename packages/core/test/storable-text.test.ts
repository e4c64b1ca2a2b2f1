import { describe, expect, it } from "vitest";
import { NAME_MAX_LENGTH, normalizeUsage, quotaRequestOf, validateLimit, validatePrice, ValidationError } from "../src/index.js";

// U+1F600: four bytes in UTF-8, two UTF-16 units in JavaScript, one character.
const wide = (n: number) => "\u{1F600}".repeat(n);
const defaults = { projectName: null, appName: null, userName: null };
const now = new Date("2026-01-01T00:00:00Z");
const NAME_FIELDS = ["model", "provider", "username", "callerName", "project", "session"] as const;

function refusal(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error("expected a ValidationError");
}

describe("names a store can keep", () => {
  it.each(NAME_FIELDS)("normalizeUsage takes %s at the maximum length in four-byte characters", (field) => {
    const record = normalizeUsage({ model: "m", [field]: wide(NAME_MAX_LENGTH) }, defaults, now);
    expect(record[field]).toBe(wide(NAME_MAX_LENGTH));
  });

  it.each(NAME_FIELDS)("normalizeUsage refuses %s one character over, with one line naming the field", (field) => {
    const error = refusal(() => normalizeUsage({ model: "m", [field]: wide(NAME_MAX_LENGTH + 1) }, defaults, now));
    expect(error.field).toBe(field);
    expect(error.message).toBe(`${field} must be at most ${NAME_MAX_LENGTH} characters (got ${NAME_MAX_LENGTH + 1})`);
  });

  it.each(NAME_FIELDS)("normalizeUsage refuses a NUL character and an unpaired surrogate in %s", (field) => {
    expect(refusal(() => normalizeUsage({ model: "m", [field]: "a\u0000b" }, defaults, now)).message).toBe(`${field} must not contain a NUL character (\\u0000, at index 1)`);
    expect(refusal(() => normalizeUsage({ model: "m", [field]: "ab\uD83D" }, defaults, now)).message).toMatch(new RegExp(`^${field} must be valid Unicode`));
  });

  it("refuses a megabyte model name without walking all of it, and checks the facade's defaults", () => {
    expect(refusal(() => normalizeUsage({ model: "x".repeat(1 << 20) }, defaults, now)).message).toBe(`model must be at most ${NAME_MAX_LENGTH} characters (got over 100000)`);
    expect(refusal(() => normalizeUsage({ model: "m" }, { ...defaults, appName: "a\u0000" }, now)).field).toBe("callerName");
  });

  it("limits, quota checks and prices apply the same rule", () => {
    const limit = { scope: "USER", limitType: "requests", maxValue: 1, intervalUnit: "day", intervalValue: 1 } as const;
    expect(validateLimit({ ...limit, username: wide(NAME_MAX_LENGTH) }).username).toBe(wide(NAME_MAX_LENGTH));
    expect(refusal(() => validateLimit({ ...limit, username: wide(NAME_MAX_LENGTH + 1) })).field).toBe("username");
    expect(refusal(() => validateLimit({ ...limit, model: "m\u0000" })).field).toBe("model");
    expect(refusal(() => quotaRequestOf({ model: "m", projectName: "p\u0000" }, defaults)).field).toBe("projectName");
    expect(refusal(() => quotaRequestOf({ model: "m", session: wide(NAME_MAX_LENGTH + 1) }, defaults)).field).toBe("session");
    expect(refusal(() => validatePrice({ model: wide(NAME_MAX_LENGTH + 1), inputPerMTok: 1, outputPerMTok: 1 })).field).toBe("model");
    expect(refusal(() => validatePrice({ model: "m", inputPerMTok: 1, outputPerMTok: 1, note: "n\u0000" })).field).toBe("note");
  });
});
