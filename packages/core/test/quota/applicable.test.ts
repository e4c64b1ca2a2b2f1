import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { genericity, isLimitApplicable, orderBySpecificity, usageFilterFor, type LimitScope, type UsageLimit } from "../../src/quota/index.js";
import { limit, request } from "./fixtures.js";

type Selector = "model" | "username" | "callerName" | "projectName";
const SELECTORS: [Selector, keyof ReturnType<typeof request>][] = [
  ["model", "model"],
  ["username", "username"],
  ["callerName", "callerName"],
  ["projectName", "projectName"],
];

describe("isLimitApplicable", () => {
  it("GLOBAL applies to every call whatever its selectors say", () => {
    const g = limit({ scope: "GLOBAL", model: "zzz", username: "nobody", callerName: "x", projectName: "y" });
    expect(isLimitApplicable(g, request())).toBe(true);
    expect(isLimitApplicable(g, request({ username: null, callerName: null, projectName: null }))).toBe(true);
  });

  describe.each(["MODEL", "USER", "CALLER"] as LimitScope[])("%s scope", (scope) => {
    it.each(SELECTORS)("a concrete %s must equal the call's value", (field, reqField) => {
      expect(isLimitApplicable(limit({ scope, [field]: "other" }), request())).toBe(false);
      expect(isLimitApplicable(limit({ scope, [field]: request()[reqField] as string }), request())).toBe(true);
    });
    it.each(SELECTORS)("%s null, empty or * constrains nothing", (field) => {
      for (const value of [null, "", "*"]) expect(isLimitApplicable(limit({ scope, [field]: value }), request())).toBe(true);
    });
    it.each(SELECTORS.filter(([f]) => f !== "model"))("a concrete %s never matches a call without one", (field, reqField) => {
      expect(isLimitApplicable(limit({ scope, [field]: "x" }), request({ [reqField]: null }))).toBe(false);
      expect(isLimitApplicable(limit({ scope, [field]: "*" }), request({ [reqField]: null }))).toBe(true);
    });
  });

  it("every concrete selector takes part, whatever the scope label", () => {
    expect(isLimitApplicable(limit({ scope: "USER", username: "user1", model: "gpt-4" }), request())).toBe(true);
    expect(isLimitApplicable(limit({ scope: "USER", username: "user1", model: "claude" }), request())).toBe(false);
    expect(isLimitApplicable(limit({ scope: "MODEL", model: "gpt-4", username: "user2" }), request())).toBe(false);
    expect(isLimitApplicable(limit({ scope: "CALLER", username: "user1", callerName: "app2" }), request())).toBe(false);
  });

  it("PROJECT with a project applies only to calls in that project", () => {
    const p = limit({ scope: "PROJECT", projectName: "p1" });
    expect(isLimitApplicable(p, request())).toBe(true);
    expect(isLimitApplicable(p, request({ projectName: "p2" }))).toBe(false);
    expect(isLimitApplicable(p, request({ projectName: null }))).toBe(false);
  });

  it("PROJECT without a project (null or '') applies only to calls without one", () => {
    for (const projectName of [null, ""]) {
      const p = limit({ scope: "PROJECT", projectName });
      expect(isLimitApplicable(p, request({ projectName: null }))).toBe(true);
      expect(isLimitApplicable(p, request({ projectName: "p1" }))).toBe(false);
    }
  });

  it("PROJECT * applies to calls with and without a project", () => {
    const p = limit({ scope: "PROJECT", projectName: "*" });
    expect(isLimitApplicable(p, request({ projectName: null }))).toBe(true);
    expect(isLimitApplicable(p, request({ projectName: "p9" }))).toBe(true);
  });
});

describe("genericity and orderBySpecificity", () => {
  it("counts the selectors that are null, '' or *; the scope does not count", () => {
    expect(genericity(limit({ scope: "GLOBAL" }))).toBe(4);
    expect(genericity(limit({ scope: "GLOBAL", model: "m" }))).toBe(3);
    expect(genericity(limit({ scope: "MODEL", model: "*" }))).toBe(4);
    expect(genericity(limit({ scope: "USER", username: "", model: "m" }))).toBe(3);
    expect(genericity(limit({ scope: "CALLER", model: "m", username: "u", callerName: "c", projectName: "p" }))).toBe(0);
  });

  it("puts the most specific first and keeps input order among equals", () => {
    const g = limit({ scope: "GLOBAL" });
    const u = limit({ scope: "USER", username: "user1" });
    const um = limit({ scope: "USER", username: "user1", model: "gpt-4" });
    const w = limit({ scope: "MODEL", model: "*" });
    const m = limit({ scope: "MODEL", model: "gpt-4" });
    expect(orderBySpecificity([g, u, um, w, m]).map((l) => l.id)).toEqual([um.id, u.id, m.id, g.id, w.id]);
    expect(orderBySpecificity([w, m, g, u, um]).map((l) => l.id)).toEqual([um.id, m.id, u.id, w.id, g.id]);
  });

  it("does not reorder its input", () => {
    const input = [limit(), limit({ scope: "MODEL", model: "m" })];
    const ids = input.map((l) => l.id);
    orderBySpecificity(input);
    expect(input.map((l) => l.id)).toEqual(ids);
  });

  it("is a stable sort (property)", () => {
    const value = fc.constantFrom(null, "", "*", "a", "b");
    const arbLimit = fc.record({ model: value, username: value, callerName: value, projectName: value }).map((s) => limit(s));
    fc.assert(
      fc.property(fc.array(arbLimit, { maxLength: 20 }), (limits) => {
        const sorted = orderBySpecificity(limits);
        expect([...sorted].sort((a, b) => a.id - b.id)).toEqual([...limits].sort((a, b) => a.id - b.id));
        for (let i = 1; i < sorted.length; i++) {
          const [prev, cur] = [sorted[i - 1]!, sorted[i]!];
          const [gp, gc] = [genericity(prev), genericity(cur)];
          expect(gp).toBeLessThanOrEqual(gc);
          if (gp === gc) expect(limits.indexOf(prev)).toBeLessThan(limits.indexOf(cur));
        }
      }),
    );
  });
});

describe("usageFilterFor", () => {
  const f = (l: Partial<UsageLimit>) => usageFilterFor(limit(l));
  it("GLOBAL counts everything, whatever its selectors", () => {
    expect(f({ scope: "GLOBAL", model: "x", username: "u", projectName: "p" })).toEqual({});
  });
  it("one equality per concrete selector, projectName as project", () => {
    expect(f({ scope: "MODEL", model: "gpt-4" })).toEqual({ model: "gpt-4" });
    expect(f({ scope: "MODEL", model: "gpt-4", username: "u" })).toEqual({ model: "gpt-4", username: "u" });
    expect(f({ scope: "CALLER", username: "u", callerName: "c" })).toEqual({ username: "u", callerName: "c" });
    expect(f({ scope: "USER", username: "u", projectName: "p" })).toEqual({ username: "u", project: "p" });
    expect(f({ scope: "PROJECT", projectName: "p", callerName: "c" })).toEqual({ callerName: "c", project: "p" });
  });
  it("* and '' pool everybody's usage", () => {
    expect(f({ scope: "USER", username: "*" })).toEqual({});
    expect(f({ scope: "MODEL", model: "" })).toEqual({});
    expect(f({ scope: "CALLER", callerName: "*", username: "" })).toEqual({});
    expect(f({ scope: "PROJECT", projectName: "*" })).toEqual({});
  });
  it("PROJECT without a project (null or '') counts rows without one", () => {
    expect(f({ scope: "PROJECT", projectName: null })).toEqual({ project: null });
    expect(f({ scope: "PROJECT", projectName: "" })).toEqual({ project: null });
    expect(f({ scope: "PROJECT", projectName: null, model: "m" })).toEqual({ model: "m", project: null });
    expect(f({ scope: "USER", username: "u", projectName: null })).toEqual({ username: "u" });
  });
});
