import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.js";
import { validateLimit, type LimitInput, type NewUsageLimit } from "../../src/quota/index.js";

const base: NewUsageLimit = {
  scope: "GLOBAL",
  limitType: "requests",
  maxValue: 5,
  intervalUnit: "day",
  intervalValue: 1,
  model: null,
  username: null,
  callerName: null,
  projectName: null,
};

describe("validateLimit", () => {
  it.each<[LimitInput, string, string]>([
    [{ scope: "TEAM" }, "scope", 'scope must be one of GLOBAL, MODEL, USER, CALLER, PROJECT, TAG (got "TEAM")'],
    [{ scope: "user" }, "scope", "scope must be one of"],
    [{ scope: 3 }, "scope", "(got 3)"],
    [{ scope: undefined }, "scope", "(got undefined)"],
    [{ limitType: "tokens" }, "limitType", 'limitType must be one of requests, input_tokens, output_tokens, total_tokens, cost (got "tokens")'],
    [{ limitType: "Requests" }, "limitType", "limitType must be one of"],
    [{ intervalUnit: "month" }, "intervalUnit", "intervalUnit must be one of second, minute, hour, day, week, monthly, second_rolling,"],
    [{ intervalUnit: "Monthly" }, "intervalUnit", "monthly_rolling (got \"Monthly\")"],
    [{ intervalValue: 0 }, "intervalValue", "intervalValue must be a positive integer (got 0)"],
    [{ intervalValue: -2 }, "intervalValue", "intervalValue must be a positive integer (got -2)"],
    [{ intervalValue: 1.5 }, "intervalValue", "(got 1.5)"],
    [{ intervalValue: 2 ** 53 }, "intervalValue", "must be a positive integer"],
    [{ intervalValue: Number.NaN }, "intervalValue", "(got NaN)"],
    [{ intervalValue: "2" }, "intervalValue", 'intervalValue must be a positive integer (got "2")'],
    [{ maxValue: -2 }, "maxValue", "maxValue must be a number >= 0, or -1 for unlimited (got -2)"],
    [{ maxValue: -0.5 }, "maxValue", "(got -0.5)"],
    [{ maxValue: Number.NaN }, "maxValue", "maxValue must be a number"],
    [{ maxValue: Number.POSITIVE_INFINITY }, "maxValue", "maxValue must be a number"],
    [{ maxValue: "5" }, "maxValue", '(got "5")'],
    [{ scope: "PROJECT" }, "projectName", "projectName is required when scope is PROJECT"],
    [{ scope: "PROJECT", projectName: "" }, "projectName", "projectName is required when scope is PROJECT"],
    [{ model: 5 }, "model", "model must be a string or null (got 5)"],
    [{ username: false }, "username", "username must be a string or null"],
    [{ callerName: {} }, "callerName", "callerName must be a string or null"],
    [{ projectName: ["p"] }, "projectName", "projectName must be a string or null"],
  ])("rejects %j naming %s", (patch, field, message) => {
    let error: unknown;
    try {
      validateLimit({ ...base, ...patch });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe(field);
    expect((error as ValidationError).message).toContain(message);
  });

  it("rejects something that is not an object", () => {
    expect(() => validateLimit(null as unknown as LimitInput)).toThrow("limit must be an object");
  });

  it("accepts -1, 0, fractions, wildcards and every unit", () => {
    expect(validateLimit({ ...base, maxValue: -1, model: "*" })).toEqual({ ...base, maxValue: -1, model: "*" });
    expect(validateLimit({ ...base, limitType: "cost", maxValue: 0.25 }).maxValue).toBe(0.25);
    expect(validateLimit({ ...base, maxValue: 0 }).maxValue).toBe(0);
    expect(validateLimit({ ...base, scope: "PROJECT", projectName: "*" }).projectName).toBe("*");
    for (const intervalUnit of ["second", "week", "monthly", "week_rolling", "monthly_rolling"]) {
      expect(validateLimit({ ...base, intervalUnit, intervalValue: 12 }).intervalUnit).toBe(intervalUnit);
    }
  });

  it("returns only the limit's fields, absent selectors as null", () => {
    const input = { scope: "PROJECT", limitType: "cost", maxValue: 3, intervalUnit: "monthly_rolling", intervalValue: 3, projectName: "p", id: 9, extra: true };
    expect(validateLimit(input)).toEqual({
      scope: "PROJECT",
      limitType: "cost",
      maxValue: 3,
      intervalUnit: "monthly_rolling",
      intervalValue: 3,
      model: null,
      username: null,
      callerName: null,
      projectName: "p",
    });
  });
});
