import { describe, expect, it } from "vitest";
import { parseTagList, ValidationError } from "../src/index.js";

describe("parseTagList", () => {
  it("reads key=value pairs separated by commas, trimmed, keys sorted", () => {
    expect(parseTagList(" team=search , environment=prod ")).toEqual({ environment: "prod", team: "search" });
    expect(Object.keys(parseTagList("b=1,a=2")!)).toEqual(["a", "b"]);
    expect(parseTagList("empty=")).toEqual({ empty: "" });
  });

  it("gives none for blank or absent text", () => {
    expect(parseTagList(undefined)).toBeUndefined();
    expect(parseTagList("  ")).toBeUndefined();
  });

  it("refuses what is not a pair, a key twice, a bad key, or too many tags, naming the field", () => {
    for (const bad of ["solo", "=x", "a=1,a=2", "bad key=1", Array.from({ length: 17 }, (_, i) => `k${i}=v`).join(",")]) {
      expect(() => parseTagList(bad, "ENV_TAGS")).toThrow(ValidationError);
      expect(() => parseTagList(bad, "ENV_TAGS")).toThrow(/ENV_TAGS/);
    }
  });
});
