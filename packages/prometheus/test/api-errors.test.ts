import { describe, expect, it } from "vitest";
import { AccountingError } from "@llm-accounting/core";
import { BadParameterError } from "../src/index.js";

describe("BadParameterError", () => {
  it("is one of the library's errors, with its stable code, the parameter and the reason apart", () => {
    const error = new BadParameterError("key", "is required: the tag key to group by (e.g. key=feature)");
    expect(error).toBeInstanceOf(AccountingError);
    expect([error.code, error.name, error.parameter, error.reason]).toEqual(["BAD_PARAMETER", "BadParameterError", "key", "is required: the tag key to group by (e.g. key=feature)"]);
    expect(error.message).toBe("key is required: the tag key to group by (e.g. key=feature)");
  });
});
