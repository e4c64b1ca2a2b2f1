import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.js";
import {
  denialMessage,
  evaluateQuota,
  genericity,
  isLimitApplicable,
  orderBySpecificity,
  planQuota,
  usageFilterFor,
  usageFilterMatches,
  validateLimit,
  type LimitInput,
  type QuotaRequest,
  type QuotaUsage,
  type UsageLimit,
} from "../../src/quota/index.js";

const base = { limitType: "requests", maxValue: 2, intervalUnit: "day", intervalValue: 1, model: null, username: null, callerName: null, projectName: null } as const;
let nextId = 1;
const limit = (overrides: Partial<UsageLimit>): UsageLimit => ({ id: nextId++, scope: "TAG", ...base, createdAt: new Date(0), updatedAt: new Date(0), ...overrides });
const request = (tags: QuotaRequest["tags"], overrides: Partial<QuotaRequest> = {}): QuotaRequest => ({
  model: "m",
  username: null,
  callerName: null,
  projectName: null,
  inputTokens: 0,
  completionTokens: 0,
  costNanos: 0n,
  tags,
  ...overrides,
});
const usage = (requests: number): QuotaUsage => ({ requests, inputTokens: 0, outputTokens: 0, totalTokens: 0, costNanos: 0n, oldest: null });

describe("TAG limits: validation", () => {
  it.each<[LimitInput, string, string]>([
    [{ scope: "TAG" }, "tag", "tag is required when scope is TAG (key=value, or key=* for any value)"],
    [{ scope: "USER", tag: { key: "tenant", value: "acme" } }, "tag", "tag is only allowed when scope is TAG (got scope USER)"],
    [{ scope: "TAG", tag: "tenant=acme" }, "tag", "tag must be an object { key, value }"],
    [{ scope: "TAG", tag: { key: "Tenant Id", value: "acme" } }, "tag.key", "key must be 1-64 letters, digits"],
    [{ scope: "TAG", tag: { key: "tenant", value: "" } }, "tag.value", 'tag.value must be a non-empty string, or * for any value (got "")'],
    [{ scope: "TAG", tag: { key: "tenant", value: 3 } }, "tag.value", "(got 3)"],
    [{ scope: "TAG", tag: { key: "tenant", value: "x".repeat(257) } }, "tag.value", "must be at most 256 characters"],
  ])("refuses %j naming %s", (overrides, field, message) => {
    let caught: unknown;
    try {
      validateLimit({ ...base, ...overrides });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).field).toBe(field);
    expect((caught as Error).message).toContain(message);
  });

  it("keeps the tag of a TAG limit, `*` included, and no tag key on other scopes", () => {
    expect(validateLimit({ ...base, scope: "TAG", tag: { key: "tenant", value: "*" } })).toMatchObject({ scope: "TAG", tag: { key: "tenant", value: "*" } });
    expect(validateLimit({ ...base, scope: "GLOBAL", tag: null })).not.toHaveProperty("tag");
  });
});

describe("TAG limits: matching and counting", () => {
  const acme = limit({ tag: { key: "tenant", value: "acme" } });
  const any = limit({ tag: { key: "tenant", value: "*" } });

  it("applies to calls carrying the tag (any value for `*`), never to calls without the key", () => {
    expect(isLimitApplicable(acme, request({ tenant: "acme", feature: "x" }))).toBe(true);
    expect(isLimitApplicable(acme, request({ tenant: "Acme" }))).toBe(false);
    expect(isLimitApplicable(acme, request(null))).toBe(false);
    expect(isLimitApplicable(any, request({ tenant: "globex" }))).toBe(true);
    expect(isLimitApplicable(any, request({ feature: "x" }))).toBe(false);
    // Other selectors narrow it as on every non-GLOBAL scope.
    expect(isLimitApplicable(limit({ model: "big", tag: { key: "tenant", value: "acme" } }), request({ tenant: "acme" }))).toBe(false);
    // A key Object.prototype has is still only the call's own.
    const proto = limit({ tag: { key: "constructor", value: "*" } });
    expect(isLimitApplicable(proto, request({ tenant: "acme" }))).toBe(false);
    expect(usageFilterMatches(usageFilterFor(proto), { model: "m", username: null, callerName: null, project: null, tags: {} })).toBe(false);
    // A TAG limit whose tag is missing (a damaged row) limits nobody rather than everybody.
    expect(isLimitApplicable(limit({}), request({ tenant: "acme" }))).toBe(false);
  });

  it("counts the rows carrying the tag; `*` pools every value in one sum", () => {
    expect(usageFilterFor(acme)).toEqual({ tag: { key: "tenant", value: "acme" } });
    expect(usageFilterFor(any)).toEqual({ tag: { key: "tenant", value: null } });
    const row = (tags: Record<string, string> | undefined) => ({ model: "m", username: null, callerName: null, project: null, tags });
    expect(usageFilterMatches(usageFilterFor(any), row({ tenant: "a" }))).toBe(true);
    expect(usageFilterMatches(usageFilterFor(any), row(undefined))).toBe(false);
    expect(usageFilterMatches(usageFilterFor(acme), row({ tenant: "b" }))).toBe(false);
  });

  it("ranks a tag value as one selector: with MODEL m, before GLOBAL; `*` with GLOBAL", () => {
    const global = limit({ scope: "GLOBAL" });
    const model = limit({ scope: "MODEL", model: "m" });
    expect([genericity(acme), genericity(any), genericity(global), genericity(model)]).toEqual([3, 4, 4, 3]);
    expect(orderBySpecificity([global, any, acme]).map((l) => l.id)).toEqual([acme.id, global.id, any.id]);
  });

  it("lets an unlimited tag value override a broader limit, as a specific -1 does elsewhere", () => {
    const global = limit({ scope: "GLOBAL", maxValue: 0 });
    const vip = limit({ maxValue: -1, tag: { key: "tier", value: "vip" } });
    const now = new Date("2025-01-01T12:00:00Z");
    const allowed = planQuota([global, vip], request({ tier: "vip" }), now);
    expect(evaluateQuota(allowed, [], request({ tier: "vip" }), now).allowed).toBe(true);
    const denied = planQuota([global, vip], request({ tier: "free" }), now);
    expect(evaluateQuota(denied, denied.queries.map(() => usage(0)), request({ tier: "free" }), now).allowed).toBe(false);
  });

  it("names the tag, and the other selectors it narrows by, in the denial", () => {
    expect(denialMessage(acme, 2, 1)).toBe("TAG (tag: tenant=acme) limit: 2.00 requests per 1 day exceeded. Current usage: 2.00, request: 1.00.");
    const narrow = limit({ model: "big", username: "u", callerName: "c", projectName: "p", limitType: "cost", maxValue: 5, tag: { key: "tenant", value: "*" } });
    expect(denialMessage(narrow, 4.5, 0.75)).toBe("TAG (model: big, user: u, caller: c, project: p, tag: tenant=*) limit: $5.00 cost per 1 day exceeded. Current usage: $4.50, request: $0.75.");
  });
});
