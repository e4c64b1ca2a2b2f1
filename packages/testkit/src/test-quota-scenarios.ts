import { describe, expect, it } from "vitest";
import type { TestStoreOptions } from "./test-store-options.js";
import { quotaHarness, spec } from "./quota-scenario-harness.js";

/**
 * The Python original's quota scenarios by scope, wildcard and limit value (its tests under
 * accounting/ and core/), re-created on a real store through the facade with an injected clock
 * instead of sleeps. Windows, enforcement and reservations: test-quota-windows.ts.
 */
export function testQuotaScenarios(options: TestStoreOptions): void {
  describe(`quota scenarios: ${options.name}`, () => {
    const h = quotaHarness(options);
    const { limits, track, setClock } = h;

    it("GLOBAL: the 11th request in a minute is denied with the exact message", async () => {
      await limits({ scope: "GLOBAL", limitType: "requests", maxValue: 10, intervalUnit: "minute" });
      await track({ model: "gpt-4" }, 10);
      const d = await h.acct.checkQuota({ model: "gpt-3.5" });
      expect(d.allowed).toBe(false);
      expect(d.reason).toBe("GLOBAL limit: 10.00 requests per 1 minute exceeded. Current usage: 10.00, request: 1.00.");
      expect(d.retryAfterSeconds).toBe(22);
      setClock("2024-03-15T13:48:00.000Z");
      expect((await h.acct.checkQuota({ model: "gpt-3.5" })).allowed).toBe(true);
    });

    it("MODEL: the 6th gpt-4 request in an hour is denied; other models are not", async () => {
      await limits({ scope: "MODEL", limitType: "requests", maxValue: 5, intervalUnit: "hour", model: "gpt-4" });
      await track({ model: "gpt-4" }, 5);
      expect((await h.acct.checkQuota({ model: "gpt-4" })).reason).toBe("MODEL (model: gpt-4) limit: 5.00 requests per 1 hour exceeded. Current usage: 5.00, request: 1.00.");
      expect((await h.acct.checkQuota({ model: "gpt-3.5-turbo" })).allowed).toBe(true);
    });

    it("USER: cost is counted per user", async () => {
      await limits({ scope: "USER", limitType: "cost", maxValue: 1, intervalUnit: "day", username: "user1" });
      await track({ model: "m", username: "user1", cost: 0.9 });
      await track({ model: "m", username: "user2", cost: 5 });
      expect((await h.acct.checkQuota({ model: "m", username: "user1", cost: 0.1 })).allowed).toBe(true);
      expect((await h.acct.checkQuota({ model: "m", username: "user1", cost: 0.2 })).reason).toBe(
        "USER (user: user1) limit: $1.00 cost per 1 day exceeded. Current usage: $0.90, request: $0.20.",
      );
      expect((await h.acct.checkQuota({ model: "m", username: "user2", cost: 100 })).allowed).toBe(true);
      expect((await h.acct.checkQuota({ model: "m", username: null, cost: 100 })).allowed).toBe(true);
    });

    it("USER + model: only that user's calls to that model count; an account-wide limit sums every model", async () => {
      await limits(
        { scope: "USER", limitType: "requests", maxValue: 2, intervalUnit: "minute", username: "u", model: "gpt-4" },
        { scope: "USER", limitType: "output_tokens", maxValue: 100, intervalUnit: "day", username: "u" },
      );
      await track({ model: "gpt-4", username: "u", completionTokens: 30 }, 2);
      await track({ model: "claude", username: "u", completionTokens: 30 });
      expect((await h.acct.checkQuota({ model: "gpt-4", username: "u" })).reason).toBe(
        "USER (model: gpt-4, user: u) limit: 2.00 requests per 1 minute exceeded. Current usage: 2.00, request: 1.00.",
      );
      expect((await h.acct.checkQuota({ model: "claude", username: "u", completionTokens: 10 })).allowed).toBe(true);
      expect((await h.acct.checkQuota({ model: "claude", username: "u", completionTokens: 11 })).reason).toBe(
        "USER (user: u) limit: 100.00 output_tokens per 1 day exceeded. Current usage: 90.00, request: 11.00.",
      );
    });

    it("CALLER with user and caller: other users and callers are unaffected", async () => {
      await limits({ scope: "CALLER", limitType: "requests", maxValue: 3, intervalUnit: "day", username: "user1", callerName: "app1" });
      await track({ model: "m", username: "user1", callerName: "app1" }, 3);
      expect((await h.acct.checkQuota({ model: "m", username: "user1", callerName: "app1" })).reason).toBe(
        "CALLER (user: user1, caller: app1) limit: 3.00 requests per 1 day exceeded. Current usage: 3.00, request: 1.00.",
      );
      expect((await h.acct.checkQuota({ model: "m", username: "user2", callerName: "app1" })).allowed).toBe(true);
      expect((await h.acct.checkQuota({ model: "m", username: "user1", callerName: "app2" })).allowed).toBe(true);
    });

    it("CALLER alone counts every user of the caller", async () => {
      await limits({ scope: "CALLER", limitType: "input_tokens", maxValue: 1000, intervalUnit: "hour", callerName: "app1" });
      await track({ model: "m", username: "a", callerName: "app1", promptTokens: 600 });
      await track({ model: "m", username: "b", callerName: "app1", promptTokens: 300 });
      expect((await h.acct.checkQuota({ model: "m", username: "c", callerName: "app1", inputTokens: 101 })).reason).toBe(
        "CALLER (caller: app1) limit: 1000.00 input_tokens per 1 hour exceeded. Current usage: 900.00, request: 101.00.",
      );
    });

    it("PROJECT: a project's limit spares other projects and calls without a project", async () => {
      await limits({ scope: "PROJECT", limitType: "cost", maxValue: 2, intervalUnit: "day", projectName: "p1" });
      // setUsageLimit refuses PROJECT without a project; such limits only arrive from imported data.
      await h.store.insertLimit(spec({ scope: "PROJECT", limitType: "requests", maxValue: 1, intervalUnit: "day" }));
      await expect(h.acct.setUsageLimit(spec({ scope: "PROJECT", limitType: "requests", maxValue: 1, intervalUnit: "day" }))).rejects.toThrow(
        "projectName is required when scope is PROJECT",
      );
      await track({ model: "m", project: "p1", cost: 2 });
      await track({ model: "m", project: null });
      expect((await h.acct.checkQuota({ model: "m", projectName: "p1", cost: 0.01 })).reason).toBe(
        "PROJECT (project: p1) limit: $2.00 cost per 1 day exceeded. Current usage: $2.00, request: $0.01.",
      );
      expect((await h.acct.checkQuota({ model: "m", projectName: "p2", cost: 50 })).allowed).toBe(true);
      expect((await h.acct.checkQuota({ model: "m", projectName: null })).reason).toBe(
        "PROJECT (no project) limit: 1.00 requests per 1 day exceeded. Current usage: 1.00, request: 1.00.",
      );
    });

    it("wildcards: MODEL * = 0 denies, a specific -1 allows and bypasses later limits", async () => {
      await limits(
        { scope: "MODEL", limitType: "requests", maxValue: 0, intervalUnit: "minute", model: "*" },
        { scope: "MODEL", limitType: "requests", maxValue: -1, intervalUnit: "minute", model: "gpt-4" },
        { scope: "GLOBAL", limitType: "cost", maxValue: 0.001, intervalUnit: "day" },
      );
      expect((await h.acct.checkQuota({ model: "gpt-4", cost: 5 })).allowed).toBe(true);
      expect((await h.acct.checkQuota({ model: "claude" })).reason).toBe("MODEL (model: *) limit: 0.00 requests per 1 minute exceeded. Current usage: 0.00, request: 1.00.");
    });

    it("wildcards pool usage: USER * is one shared budget", async () => {
      await limits({ scope: "USER", limitType: "requests", maxValue: 2, intervalUnit: "day", username: "*" });
      await track({ model: "m", username: "a" });
      await track({ model: "m", username: "b" });
      expect((await h.acct.checkQuota({ model: "m", username: "c" })).reason).toBe("USER (user: *) limit: 2.00 requests per 1 day exceeded. Current usage: 2.00, request: 1.00.");
      // `*` is not a concrete value, so it applies to calls without a user too (docs/behaviour.md, "Which calls a limit applies to").
      expect((await h.acct.checkQuota({ model: "m", username: null })).allowed).toBe(false);
    });

    it("0 denies any positive amount; -1 is unlimited", async () => {
      await limits(
        { scope: "GLOBAL", limitType: "input_tokens", maxValue: 0, intervalUnit: "day" },
        { scope: "USER", limitType: "cost", maxValue: -1, intervalUnit: "day", username: "vip" },
      );
      expect((await h.acct.checkQuota({ model: "m", inputTokens: 0 })).allowed).toBe(true);
      expect((await h.acct.checkQuota({ model: "m", inputTokens: 1 })).allowed).toBe(false);
      expect((await h.acct.checkQuota({ model: "m", username: "vip", inputTokens: 1_000_000 })).allowed).toBe(true);
    });

    it("multi-dimensional: the most specific exceeded limit is reported first", async () => {
      await limits(
        { scope: "GLOBAL", limitType: "requests", maxValue: 3, intervalUnit: "hour" },
        { scope: "USER", limitType: "requests", maxValue: 2, intervalUnit: "hour", username: "u1" },
        { scope: "MODEL", limitType: "total_tokens", maxValue: 100, intervalUnit: "hour", model: "gpt-4" },
      );
      await track({ model: "gpt-4", username: "u1", promptTokens: 40, completionTokens: 40 }, 2);
      expect((await h.acct.checkQuota({ model: "x", username: "u1" })).reason).toMatch(/^USER \(user: u1\) limit: 2\.00 requests/);
      expect((await h.acct.checkQuota({ model: "gpt-4", username: "u2", inputTokens: 10, completionTokens: 11 })).reason).toBe(
        "MODEL (model: gpt-4) limit: 100.00 total_tokens per 1 hour exceeded. Current usage: 160.00, request: 21.00.",
      );
      await track({ model: "y", username: "u3" });
      expect((await h.acct.checkQuota({ model: "y", username: "u3" })).reason).toMatch(/^GLOBAL limit: 3\.00 requests per 1 hour exceeded\. Current usage: 3\.00/);
    });

    it("a request exactly reaching a limit is allowed", async () => {
      await limits({ scope: "GLOBAL", limitType: "cost", maxValue: 0.3, intervalUnit: "day" });
      await track({ model: "m", cost: 0.1 });
      await track({ model: "m", cost: 0.1 });
      expect((await h.acct.checkQuota({ model: "m", cost: 0.1 })).allowed).toBe(true);
      expect((await h.acct.checkQuota({ model: "m", cost: 0.100000001 })).allowed).toBe(false);
    });
  });
}
