import { describe, expect, it } from "vitest";
import { cents, check, limit, request, row, rows } from "./fixtures.js";

// The original's quota scenarios, replayed as pure checks over tracked rows. NOW is a Monday.
const NOW = new Date("2024-01-01T12:30:30.000Z");
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;

describe("original quota scenarios", () => {
  it("global: counts every call in the window, not before it or after now", () => {
    const l = [limit({ scope: "GLOBAL", maxValue: 10, intervalUnit: "minute" })];
    const before = [...rows(5, ago(31 * SEC)), row(new Date(NOW.getTime() + 1))];
    const inWindow = [...rows(4, ago(30 * SEC), { model: "claude", username: "x" }), ...rows(5, ago(0), { callerName: null, project: null })];
    expect(check(l, request(), [...before, ...inWindow], NOW).allowed).toBe(true);
    const d = check(l, request(), [...before, ...inWindow, row(ago(SEC))], NOW);
    expect(d.reason).toBe("GLOBAL limit: 10.00 requests per 1 minute exceeded. Current usage: 10.00, request: 1.00.");
    expect(d.retryAfterSeconds).toBe(30);
  });

  it("global with a model still limits every model", () => {
    const d = check([limit({ scope: "GLOBAL", model: "zzz", maxValue: 1 })], request({ model: "gpt-4" }), [row(ago(SEC), { model: "claude" })], NOW);
    expect(d.reason).toBe("GLOBAL limit: 1.00 requests per 1 minute exceeded. Current usage: 1.00, request: 1.00.");
  });

  it("model: a model limit is checked before a broader global one and counts that model only", () => {
    const l = [limit({ scope: "GLOBAL", maxValue: 100, intervalUnit: "hour" }), limit({ scope: "MODEL", model: "gpt-4", maxValue: 2, intervalUnit: "hour" })];
    const tracked = [...rows(2, ago(MIN)), ...rows(3, ago(MIN), { model: "claude" })];
    expect(check(l, request(), tracked, NOW).reason).toBe("MODEL (model: gpt-4) limit: 2.00 requests per 1 hour exceeded. Current usage: 2.00, request: 1.00.");
    expect(check(l, request({ model: "claude" }), tracked, NOW).allowed).toBe(true);
  });

  it("model: input tokens (the original's text-davinci-003 example)", () => {
    const l = [limit({ scope: "MODEL", model: "text-davinci-003", limitType: "input_tokens", maxValue: 1000, intervalUnit: "hour" })];
    const tracked = [row(ago(MIN), { model: "text-davinci-003", inputTokens: 950 }), row(ago(MIN), { inputTokens: 5000 })];
    const req = request({ model: "text-davinci-003", inputTokens: 51 });
    expect(check(l, req, tracked, NOW).reason).toBe(
      "MODEL (model: text-davinci-003) limit: 1000.00 input_tokens per 1 hour exceeded. Current usage: 950.00, request: 51.00.",
    );
    expect(check(l, { ...req, inputTokens: 50 }, tracked, NOW).allowed).toBe(true);
  });

  it("user: limits one user, others unaffected, calls without a user exempt", () => {
    const l = [limit({ scope: "USER", username: "user1", maxValue: 3, intervalUnit: "day" })];
    const tracked = [...rows(3, ago(HOUR)), ...rows(7, ago(HOUR), { username: "user2" })];
    expect(check(l, request(), tracked, NOW).reason).toBe("USER (user: user1) limit: 3.00 requests per 1 day exceeded. Current usage: 3.00, request: 1.00.");
    expect(check(l, request({ username: "user2" }), tracked, NOW).allowed).toBe(true);
    expect(check(l, request({ username: null }), tracked, NOW).allowed).toBe(true);
  });

  it("user + model: applies to that pair only and counts that pair's rows only", () => {
    const l = [limit({ scope: "USER", username: "user1", model: "gpt-4", maxValue: 2, intervalUnit: "day" })];
    const tracked = [...rows(2, ago(HOUR)), ...rows(5, ago(HOUR), { model: "claude" }), ...rows(5, ago(HOUR), { username: "user2" })];
    expect(check(l, request(), tracked, NOW).reason).toBe(
      "USER (model: gpt-4, user: user1) limit: 2.00 requests per 1 day exceeded. Current usage: 2.00, request: 1.00.",
    );
    expect(check(l, request({ model: "claude" }), tracked, NOW).allowed).toBe(true);
    expect(check(l, request({ username: "user2" }), tracked, NOW).allowed).toBe(true);
    expect(check(l, request(), tracked.slice(1), NOW).allowed).toBe(true);
  });

  it("caller: counts every user's calls through that caller", () => {
    const l = [limit({ scope: "CALLER", callerName: "app1", maxValue: 2, intervalUnit: "hour" })];
    const tracked = [row(ago(MIN)), row(ago(MIN), { username: "user2" }), ...rows(4, ago(MIN), { callerName: "app2" })];
    expect(check(l, request({ username: "user3" }), tracked, NOW).reason).toBe("CALLER (caller: app1) limit: 2.00 requests per 1 hour exceeded. Current usage: 2.00, request: 1.00.");
    expect(check(l, request({ callerName: "app2" }), tracked, NOW).allowed).toBe(true);
  });

  it("user + caller (the original's example)", () => {
    const l = [limit({ scope: "CALLER", username: "user1", callerName: "app1", maxValue: 3, intervalUnit: "day" })];
    const tracked = [...rows(3, ago(HOUR)), ...rows(3, ago(HOUR), { username: "user2" }), ...rows(3, ago(HOUR), { callerName: "app2" })];
    expect(check(l, request(), tracked, NOW).reason).toBe("CALLER (user: user1, caller: app1) limit: 3.00 requests per 1 day exceeded. Current usage: 3.00, request: 1.00.");
    expect(check(l, request({ username: "user2" }), tracked, NOW).allowed).toBe(true);
    expect(check(l, request({ callerName: "app2" }), tracked, NOW).allowed).toBe(true);
  });

  it("project: limits that project; calls without a project are exempt", () => {
    const l = [limit({ scope: "PROJECT", projectName: "p1", limitType: "cost", maxValue: 1, intervalUnit: "monthly" })];
    const tracked = [row(ago(HOUR), { costNanos: cents(60) }), row(ago(HOUR), { project: "p2", costNanos: cents(500) }), row(ago(HOUR), { project: null, costNanos: cents(500) })];
    const req = request({ costNanos: cents(50) });
    expect(check(l, req, tracked, NOW).reason).toBe("PROJECT (project: p1) limit: $1.00 cost per 1 monthly exceeded. Current usage: $0.60, request: $0.50.");
    expect(check(l, { ...req, costNanos: cents(40) }, tracked, NOW).allowed).toBe(true);
    expect(check(l, { ...req, projectName: null }, tracked, NOW).allowed).toBe(true);
    expect(check(l, { ...req, projectName: "p2" }, tracked, NOW).allowed).toBe(true);
  });

  it("project: a PROJECT limit without a project covers calls without one, counting only those", () => {
    const l = [limit({ scope: "PROJECT", projectName: null, maxValue: 2, intervalUnit: "day" })];
    const tracked = [...rows(2, ago(HOUR), { project: null }), ...rows(10, ago(HOUR))];
    expect(check(l, request({ projectName: null }), tracked, NOW).reason).toBe("PROJECT (no project) limit: 2.00 requests per 1 day exceeded. Current usage: 2.00, request: 1.00.");
    expect(check(l, request({ projectName: null }), tracked.slice(1), NOW).allowed).toBe(true);
    expect(check(l, request({ projectName: "p1" }), tracked, NOW).allowed).toBe(true);
  });

  it("wildcards: MODEL *=0 with MODEL gpt-4=-1 lets only gpt-4 through, in either order", () => {
    const star = limit({ scope: "MODEL", model: "*", maxValue: 0 });
    const gpt4 = limit({ scope: "MODEL", model: "gpt-4", maxValue: -1 });
    for (const l of [[star, gpt4], [gpt4, star]]) {
      expect(check(l, request(), [], NOW).allowed).toBe(true);
      expect(check(l, request({ model: "claude" }), [], NOW).reason).toBe("MODEL (model: *) limit: 0.00 requests per 1 minute exceeded. Current usage: 0.00, request: 1.00.");
    }
  });

  it("wildcards: USER * is one pool shared by all users", () => {
    const l = [limit({ scope: "USER", username: "*", maxValue: 2, intervalUnit: "day" })];
    const tracked = [row(ago(HOUR), { username: "a" }), row(ago(HOUR), { username: "b" })];
    expect(check(l, request({ username: "c" }), tracked, NOW).reason).toBe("USER (user: *) limit: 2.00 requests per 1 day exceeded. Current usage: 2.00, request: 1.00.");
    expect(check(l, request({ username: "c" }), tracked.slice(1), NOW).allowed).toBe(true);
  });

  it("-1 on a specific limit bypasses a later limit of another type", () => {
    const l = [limit({ scope: "GLOBAL", limitType: "cost", maxValue: 0.001 }), limit({ scope: "MODEL", model: "gpt-4", limitType: "requests", maxValue: -1 })];
    expect(check(l, request({ costNanos: cents(500) }), [], NOW).allowed).toBe(true);
    expect(check(l, request({ model: "claude", costNanos: cents(500) }), [], NOW).reason).toBe(
      "GLOBAL limit: $0.001 cost per 1 minute exceeded. Current usage: $0.00, request: $5.00.",
    );
  });

  it("0 denies every request but only positive token or cost amounts", () => {
    expect(check([limit({ maxValue: 0 })], request(), [], NOW).allowed).toBe(false);
    const tokens = [limit({ limitType: "input_tokens", maxValue: 0 })];
    expect(check(tokens, request(), [], NOW).allowed).toBe(true);
    expect(check(tokens, request({ inputTokens: 1 }), [], NOW).allowed).toBe(false);
    expect(check(tokens, request(), [row(ago(SEC), { inputTokens: 1 })], NOW).allowed).toBe(false);
    expect(check([limit({ limitType: "cost", maxValue: 0 })], request(), [], NOW).allowed).toBe(true);
  });

  it("several dimensions: the first failing limit in specificity order is reported", () => {
    const outputs = limit({ scope: "GLOBAL", limitType: "output_tokens", maxValue: 1000 });
    const caller = limit({ scope: "CALLER", callerName: "app1", limitType: "input_tokens", maxValue: 100 });
    const userModel = limit({ scope: "USER", username: "user1", model: "gpt-4", maxValue: 5 });
    const tracked = rows(5, ago(SEC), { inputTokens: 30, outputTokens: 250 });
    expect(check([outputs, caller, userModel], request(), tracked, NOW).limit).toBe(userModel);
    expect(check([outputs, caller], request(), tracked, NOW).limit).toBe(caller);
    expect(check([outputs], request(), tracked, NOW).reason).toBe("GLOBAL limit: 1000.00 output_tokens per 1 minute exceeded. Current usage: 1250.00, request: 0.00.");
    expect(check([outputs, caller, { ...userModel, maxValue: 50 }], request(), tracked.slice(2), NOW).allowed).toBe(true);
  });

  it("several dimensions: equally specific limits are tried in stored order", () => {
    const user = limit({ scope: "USER", username: "user1", maxValue: 1 });
    const caller = limit({ scope: "CALLER", callerName: "app1", maxValue: 1 });
    const tracked = [row(ago(SEC))];
    expect(check([user, caller], request(), tracked, NOW).limit).toBe(user);
    expect(check([caller, user], request(), tracked, NOW).limit).toBe(caller);
  });

  it("rolling windows include a row exactly N units old, and retry once it has left", () => {
    const l = [limit({ maxValue: 2, intervalUnit: "hour_rolling" })];
    expect(check(l, request(), [row(ago(HOUR + 1)), row(ago(MIN))], NOW).allowed).toBe(true);
    const d = check(l, request(), [row(ago(HOUR)), row(ago(MIN))], NOW);
    expect(d.reason).toBe("GLOBAL limit: 2.00 requests per 1 hour_rolling exceeded. Current usage: 2.00, request: 1.00.");
    expect(d.retryAfterSeconds).toBe(1);
    const later = check(l, request(), [row(ago(40 * MIN)), row(ago(MIN))], NOW);
    // At 12:50:30 the row is exactly an hour old and still counts; one second later it is gone.
    expect(later.retryAfterSeconds).toBe(20 * 60 + 1);
    expect(later.resetAt?.toISOString()).toBe("2024-01-01T12:50:31.000Z");
  });
});
