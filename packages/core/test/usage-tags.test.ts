import { describe, expect, it } from "vitest";
import { MAX_TAGS, normalizeUsage, ValidationError, withUsageContext, currentUsageContext } from "../src/index.js";

const now = new Date("2025-01-01T00:00:00Z");
const tagsOf = (tags: unknown, defaults = {}, context = {}) => normalizeUsage({ model: "m", tags } as never, defaults, now, context).tags;
const errorOf = (tags: unknown): string => {
  try {
    tagsOf(tags);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as Error).message;
  }
  throw new Error("expected a ValidationError");
};

describe("usage tags", () => {
  it("merges the facade's, the context's and the call's tags key by key, the call winning; none leaves no key", () => {
    expect(tagsOf({ b: "call", c: "3" }, { tags: { a: "1", b: "default" } }, { tags: { b: "context", d: "4" } })).toEqual({ a: "1", b: "call", c: "3", d: "4" });
    expect(Object.keys(tagsOf({ z: "1", a: "2" })!)).toEqual(["a", "z"]);
    expect("tags" in normalizeUsage({ model: "m" }, {}, now)).toBe(false);
    expect("tags" in normalizeUsage({ model: "m", tags: {} }, {}, now)).toBe(false);
  });

  it("refuses bad tags with one line naming tags.<key>", () => {
    expect(errorOf({ "bad key": "x" })).toMatch(/^tags\.bad key key must be 1-64 letters/);
    expect(errorOf({ ["k".repeat(65)]: "x" })).toMatch(/key must be 1-64/);
    expect(errorOf({ team: 5 })).toBe("tags.team must be a string (got number)");
    expect(errorOf({ team: "x".repeat(257) })).toMatch(/^tags\.team must be at most 256 characters/);
    expect(errorOf({ team: "a\u0000b" })).toMatch(/^tags\.team must not contain a NUL/);
    expect(errorOf(["a"])).toBe("tags must be an object of string values");
    const many = Object.fromEntries(Array.from({ length: MAX_TAGS + 1 }, (_, i) => [`k${i}`, "v"]));
    expect(errorOf(many)).toBe(`tags must hold at most ${MAX_TAGS} tags (got ${MAX_TAGS + 1})`);
    expect(tagsOf({ team: "x".repeat(256), "a.b-c_D9": "" })).toBeDefined();
  });

  it("merges nested contexts' tags, inner keys winning; null clears them", () => {
    withUsageContext({ tags: { a: "1", b: "1" } }, () => {
      withUsageContext({ tags: { b: "2" } }, () => expect(currentUsageContext()?.tags).toEqual({ a: "1", b: "2" }));
      withUsageContext({ username: "u" }, () => expect(currentUsageContext()?.tags).toEqual({ a: "1", b: "1" }));
      withUsageContext({ tags: null }, () => expect(currentUsageContext()?.tags).toBeNull());
    });
  });
});

describe("breakdown by tag without the store's sumUsageByTag", () => {
  it("pages through usageInRange and sums per value, untagged last, honouring the filter", async () => {
    const { sumUsageByTagFallback } = await import("../src/fallbacks/tag-sums.js");
    const records = Array.from({ length: 12_000 }, (_, i) => ({
      ...normalizeUsage({ model: i % 2 ? "a" : "b", totalTokens: 1, cost: 0.000_000_001, ...(i % 3 ? { tags: { team: `t${i % 3}` } } : {}) }, {}, now),
      id: i + 1,
    }));
    const store = {
      usageInRange: async (_range: unknown, afterId: number, limit: number) => records.filter((r) => r.id > afterId).slice(0, limit),
    } as never;
    const groups = await sumUsageByTagFallback(store, { start: now, end: now }, "team", {});
    expect(groups.map((g) => [g.key, g.requests, g.totalTokens, g.costNanos])).toEqual([["t1", 4000, 4000, 4000n], ["t2", 4000, 4000, 4000n], [null, 4000, 4000, 4000n]]);
    const narrowed = await sumUsageByTagFallback(store, { start: now, end: now }, "team", { model: "a", tags: { team: "t1" } });
    expect(narrowed.map((g) => [g.key, g.requests])).toEqual([["t1", 2000]]);
  });
});
