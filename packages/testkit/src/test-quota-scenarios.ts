import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Accounting } from "@llm-accounting/core";
import { QuotaExceededError } from "@llm-accounting/core";
import type { IntervalUnit, LimitScope, LimitType, NewUsageLimit } from "@llm-accounting/core";
import type { UsageStore } from "@llm-accounting/core";
import type { TestStoreOptions } from "./test-store-options.js";
import { freshStore } from "./fresh-store.js";

type LimitSpec = Partial<NewUsageLimit> & { scope: LimitScope; limitType: LimitType; maxValue: number; intervalUnit: IntervalUnit };

const spec = (s: LimitSpec): NewUsageLimit => ({ intervalValue: 1, model: null, username: null, callerName: null, projectName: null, ...s });

/**
 * The Python original's quota scenarios (its tests under accounting/ and core/), re-created on a
 * real store through the facade with an injected clock instead of sleeps.
 */
export function testQuotaScenarios(options: TestStoreOptions): void {
  describe(`quota scenarios: ${options.name}`, () => {
    let store: UsageStore;
    let clock = new Date("2024-03-15T13:47:38.000Z");
    let acct: Accounting;
    const setClock = (iso: string) => (clock = new Date(iso));
    const ago = (ms: number) => new Date(clock.getTime() - ms);
    const limits = async (...specs: LimitSpec[]) => {
      for (const s of specs) await acct.setUsageLimit(spec(s));
    };
    const track = (input: Parameters<Accounting["trackUsage"]>[0], times = 1) =>
      Promise.all(Array.from({ length: times }, () => acct.trackUsage({ timestamp: clock, ...input })));

    beforeEach(async () => {
      setClock("2024-03-15T13:47:38.000Z");
      store = await freshStore(options);
      acct = new Accounting({ store, now: () => clock });
      await acct.open();
    });
    afterEach(async () => {
      await acct?.close();
    });

    it("GLOBAL: the 11th request in a minute is denied with the exact message", async () => {
      await limits({ scope: "GLOBAL", limitType: "requests", maxValue: 10, intervalUnit: "minute" });
      await track({ model: "gpt-4" }, 10);
      const d = await acct.checkQuota({ model: "gpt-3.5" });
      expect(d.allowed).toBe(false);
      expect(d.reason).toBe("GLOBAL limit: 10.00 requests per 1 minute exceeded. Current usage: 10.00, request: 1.00.");
      expect(d.retryAfterSeconds).toBe(22);
      setClock("2024-03-15T13:48:00.000Z");
      expect((await acct.checkQuota({ model: "gpt-3.5" })).allowed).toBe(true);
    });

    it("MODEL: the 6th gpt-4 request in an hour is denied; other models are not", async () => {
      await limits({ scope: "MODEL", limitType: "requests", maxValue: 5, intervalUnit: "hour", model: "gpt-4" });
      await track({ model: "gpt-4" }, 5);
      expect((await acct.checkQuota({ model: "gpt-4" })).reason).toBe("MODEL (model: gpt-4) limit: 5.00 requests per 1 hour exceeded. Current usage: 5.00, request: 1.00.");
      expect((await acct.checkQuota({ model: "gpt-3.5-turbo" })).allowed).toBe(true);
    });

    it("USER: cost is counted per user", async () => {
      await limits({ scope: "USER", limitType: "cost", maxValue: 1, intervalUnit: "day", username: "user1" });
      await track({ model: "m", username: "user1", cost: 0.9 });
      await track({ model: "m", username: "user2", cost: 5 });
      expect((await acct.checkQuota({ model: "m", username: "user1", cost: 0.1 })).allowed).toBe(true);
      expect((await acct.checkQuota({ model: "m", username: "user1", cost: 0.2 })).reason).toBe(
        "USER (user: user1) limit: $1.00 cost per 1 day exceeded. Current usage: $0.90, request: $0.20.",
      );
      expect((await acct.checkQuota({ model: "m", username: "user2", cost: 100 })).allowed).toBe(true);
      expect((await acct.checkQuota({ model: "m", username: null, cost: 100 })).allowed).toBe(true);
    });

    it("USER + model: only that user's calls to that model count; an account-wide limit sums every model", async () => {
      await limits(
        { scope: "USER", limitType: "requests", maxValue: 2, intervalUnit: "minute", username: "u", model: "gpt-4" },
        { scope: "USER", limitType: "output_tokens", maxValue: 100, intervalUnit: "day", username: "u" },
      );
      await track({ model: "gpt-4", username: "u", completionTokens: 30 }, 2);
      await track({ model: "claude", username: "u", completionTokens: 30 });
      expect((await acct.checkQuota({ model: "gpt-4", username: "u" })).reason).toBe(
        "USER (model: gpt-4, user: u) limit: 2.00 requests per 1 minute exceeded. Current usage: 2.00, request: 1.00.",
      );
      expect((await acct.checkQuota({ model: "claude", username: "u", completionTokens: 10 })).allowed).toBe(true);
      expect((await acct.checkQuota({ model: "claude", username: "u", completionTokens: 11 })).reason).toBe(
        "USER (user: u) limit: 100.00 output_tokens per 1 day exceeded. Current usage: 90.00, request: 11.00.",
      );
    });

    it("CALLER with user and caller: other users and callers are unaffected", async () => {
      await limits({ scope: "CALLER", limitType: "requests", maxValue: 3, intervalUnit: "day", username: "user1", callerName: "app1" });
      await track({ model: "m", username: "user1", callerName: "app1" }, 3);
      expect((await acct.checkQuota({ model: "m", username: "user1", callerName: "app1" })).reason).toBe(
        "CALLER (user: user1, caller: app1) limit: 3.00 requests per 1 day exceeded. Current usage: 3.00, request: 1.00.",
      );
      expect((await acct.checkQuota({ model: "m", username: "user2", callerName: "app1" })).allowed).toBe(true);
      expect((await acct.checkQuota({ model: "m", username: "user1", callerName: "app2" })).allowed).toBe(true);
    });

    it("CALLER alone counts every user of the caller", async () => {
      await limits({ scope: "CALLER", limitType: "input_tokens", maxValue: 1000, intervalUnit: "hour", callerName: "app1" });
      await track({ model: "m", username: "a", callerName: "app1", promptTokens: 600 });
      await track({ model: "m", username: "b", callerName: "app1", promptTokens: 300 });
      expect((await acct.checkQuota({ model: "m", username: "c", callerName: "app1", inputTokens: 101 })).reason).toBe(
        "CALLER (caller: app1) limit: 1000.00 input_tokens per 1 hour exceeded. Current usage: 900.00, request: 101.00.",
      );
    });

    it("PROJECT: a project's limit spares other projects and calls without a project", async () => {
      await limits({ scope: "PROJECT", limitType: "cost", maxValue: 2, intervalUnit: "day", projectName: "p1" });
      // setUsageLimit refuses PROJECT without a project; such limits only arrive from imported data.
      await store.insertLimit(spec({ scope: "PROJECT", limitType: "requests", maxValue: 1, intervalUnit: "day" }));
      await expect(acct.setUsageLimit(spec({ scope: "PROJECT", limitType: "requests", maxValue: 1, intervalUnit: "day" }))).rejects.toThrow(
        "projectName is required when scope is PROJECT",
      );
      await track({ model: "m", project: "p1", cost: 2 });
      await track({ model: "m", project: null });
      expect((await acct.checkQuota({ model: "m", projectName: "p1", cost: 0.01 })).reason).toBe(
        "PROJECT (project: p1) limit: $2.00 cost per 1 day exceeded. Current usage: $2.00, request: $0.01.",
      );
      expect((await acct.checkQuota({ model: "m", projectName: "p2", cost: 50 })).allowed).toBe(true);
      expect((await acct.checkQuota({ model: "m", projectName: null })).reason).toBe(
        "PROJECT (no project) limit: 1.00 requests per 1 day exceeded. Current usage: 1.00, request: 1.00.",
      );
    });

    it("wildcards: MODEL * = 0 denies, a specific -1 allows and bypasses later limits", async () => {
      await limits(
        { scope: "MODEL", limitType: "requests", maxValue: 0, intervalUnit: "minute", model: "*" },
        { scope: "MODEL", limitType: "requests", maxValue: -1, intervalUnit: "minute", model: "gpt-4" },
        { scope: "GLOBAL", limitType: "cost", maxValue: 0.001, intervalUnit: "day" },
      );
      expect((await acct.checkQuota({ model: "gpt-4", cost: 5 })).allowed).toBe(true);
      expect((await acct.checkQuota({ model: "claude" })).reason).toBe("MODEL (model: *) limit: 0.00 requests per 1 minute exceeded. Current usage: 0.00, request: 1.00.");
    });

    it("wildcards pool usage: USER * is one shared budget", async () => {
      await limits({ scope: "USER", limitType: "requests", maxValue: 2, intervalUnit: "day", username: "*" });
      await track({ model: "m", username: "a" });
      await track({ model: "m", username: "b" });
      expect((await acct.checkQuota({ model: "m", username: "c" })).reason).toBe("USER (user: *) limit: 2.00 requests per 1 day exceeded. Current usage: 2.00, request: 1.00.");
      // `*` is not a concrete value, so it applies to calls without a user too (docs/behaviour.md, "Which calls a limit applies to").
      expect((await acct.checkQuota({ model: "m", username: null })).allowed).toBe(false);
    });

    it("0 denies any positive amount; -1 is unlimited", async () => {
      await limits(
        { scope: "GLOBAL", limitType: "input_tokens", maxValue: 0, intervalUnit: "day" },
        { scope: "USER", limitType: "cost", maxValue: -1, intervalUnit: "day", username: "vip" },
      );
      expect((await acct.checkQuota({ model: "m", inputTokens: 0 })).allowed).toBe(true);
      expect((await acct.checkQuota({ model: "m", inputTokens: 1 })).allowed).toBe(false);
      expect((await acct.checkQuota({ model: "m", username: "vip", inputTokens: 1_000_000 })).allowed).toBe(true);
    });

    it("multi-dimensional: the most specific exceeded limit is reported first", async () => {
      await limits(
        { scope: "GLOBAL", limitType: "requests", maxValue: 3, intervalUnit: "hour" },
        { scope: "USER", limitType: "requests", maxValue: 2, intervalUnit: "hour", username: "u1" },
        { scope: "MODEL", limitType: "total_tokens", maxValue: 100, intervalUnit: "hour", model: "gpt-4" },
      );
      await track({ model: "gpt-4", username: "u1", promptTokens: 40, completionTokens: 40 }, 2);
      expect((await acct.checkQuota({ model: "x", username: "u1" })).reason).toMatch(/^USER \(user: u1\) limit: 2\.00 requests/);
      expect((await acct.checkQuota({ model: "gpt-4", username: "u2", inputTokens: 10, completionTokens: 11 })).reason).toBe(
        "MODEL (model: gpt-4) limit: 100.00 total_tokens per 1 hour exceeded. Current usage: 160.00, request: 21.00.",
      );
      await track({ model: "y", username: "u3" });
      expect((await acct.checkQuota({ model: "y", username: "u3" })).reason).toMatch(/^GLOBAL limit: 3\.00 requests per 1 hour exceeded\. Current usage: 3\.00/);
    });

    it("a request exactly reaching a limit is allowed", async () => {
      await limits({ scope: "GLOBAL", limitType: "cost", maxValue: 0.3, intervalUnit: "day" });
      await track({ model: "m", cost: 0.1 });
      await track({ model: "m", cost: 0.1 });
      expect((await acct.checkQuota({ model: "m", cost: 0.1 })).allowed).toBe(true);
      expect((await acct.checkQuota({ model: "m", cost: 0.100000001 })).allowed).toBe(false);
    });

    const units: [IntervalUnit, number][] = [
      ["second_rolling", 1000],
      ["minute_rolling", 60_000],
      ["hour_rolling", 3_600_000],
      ["day_rolling", 86_400_000],
      ["week_rolling", 604_800_000],
    ];
    for (const [unit, ms] of units) {
      it(`${unit}: a row exactly one window old counts, one second older does not`, async () => {
        await limits({ scope: "GLOBAL", limitType: "requests", maxValue: 1, intervalUnit: unit });
        await acct.trackUsage({ model: "m", timestamp: ago(ms + 1000) });
        expect((await acct.checkQuota({ model: "m" })).allowed).toBe(true);
        await acct.trackUsage({ model: "m", timestamp: ago(ms) });
        const d = await acct.checkQuota({ model: "m" });
        expect(d.reason).toBe(`GLOBAL limit: 1.00 requests per 1 ${unit} exceeded. Current usage: 1.00, request: 1.00.`);
        expect(d.retryAfterSeconds).toBe(1);
      });
    }

    it("monthly_rolling: the last N calendar months up to now, not from the 1st", async () => {
      await limits({ scope: "GLOBAL", limitType: "requests", maxValue: 1, intervalUnit: "monthly_rolling" });
      await acct.trackUsage({ model: "m", timestamp: "2024-02-15T13:47:37.000Z" });
      await acct.trackUsage({ model: "m", timestamp: "2024-02-01T00:00:00.000Z" });
      expect((await acct.checkQuota({ model: "m" })).allowed).toBe(true);
      await acct.trackUsage({ model: "m", timestamp: "2024-02-15T13:47:38.000Z" });
      expect((await acct.checkQuota({ model: "m" })).allowed).toBe(false);
    });

    it("fixed windows start on calendar boundaries in UTC", async () => {
      await limits({ scope: "GLOBAL", limitType: "requests", maxValue: 1, intervalUnit: "monthly", intervalValue: 3 });
      await acct.trackUsage({ model: "m", timestamp: "2023-12-31T23:59:59.000Z" });
      expect((await acct.checkQuota({ model: "m" })).allowed).toBe(true);
      await acct.trackUsage({ model: "m", timestamp: "2024-01-01T00:00:00.000Z" });
      const d = await acct.checkQuota({ model: "m" });
      expect(d.allowed).toBe(false);
      expect(d.resetAt?.toISOString()).toBe("2024-04-01T00:00:00.000Z");
    });

    it("mixed fixed and rolling: the rolling minute denies inside a fixed day", async () => {
      await limits(
        { scope: "GLOBAL", limitType: "requests", maxValue: 100, intervalUnit: "day" },
        { scope: "GLOBAL", limitType: "requests", maxValue: 5, intervalUnit: "minute_rolling" },
      );
      await track({ model: "m" }, 5);
      expect((await acct.checkQuota({ model: "m" })).reason).toMatch(/^GLOBAL limit: 5\.00 requests per 1 minute_rolling exceeded/);
      setClock("2024-03-15T13:48:39.000Z");
      expect((await acct.checkQuota({ model: "m" })).allowed).toBe(true);
    });

    it("records a rejection only for a denied check that carries a session", async () => {
      await limits({ scope: "GLOBAL", limitType: "requests", maxValue: 0, intervalUnit: "day" });
      await acct.checkQuota({ model: "m" });
      await acct.checkQuota({ model: "m", session: "s-9" });
      await expect(acct.trackUsage({ model: "m", session: "s-9" }, { enforceLimits: true })).rejects.toBeInstanceOf(QuotaExceededError);
      const rejections = await store.listRejections("s-9");
      expect(rejections.map((r) => r.message)).toEqual([
        "GLOBAL limit: 0.00 requests per 1 day exceeded. Current usage: 0.00, request: 1.00.",
        "GLOBAL limit: 0.00 requests per 1 day exceeded. Current usage: 0.00, request: 1.00.",
      ]);
      expect((await store.listRejections()).length).toBe(2);
    });

    it("remaining limits after tracking", async () => {
      await limits(
        { scope: "USER", limitType: "total_tokens", maxValue: 100, intervalUnit: "day", username: "u" },
        { scope: "GLOBAL", limitType: "cost", maxValue: 10, intervalUnit: "day" },
        { scope: "MODEL", limitType: "requests", maxValue: 0, intervalUnit: "day", model: "*" },
        { scope: "MODEL", limitType: "requests", maxValue: -1, intervalUnit: "day", model: "gpt-4" },
        { scope: "MODEL", limitType: "requests", maxValue: 9, intervalUnit: "day", model: "other" },
      );
      const { record, remaining } = await acct.trackUsageWithRemainingLimits({ model: "gpt-4", username: "u", promptTokens: 30, completionTokens: 20, cost: 1, timestamp: clock });
      expect(record.totalTokens).toBe(50);
      expect(remaining.map((r) => [r.limit.scope, r.limit.limitType, r.remaining])).toEqual([
        ["USER", "total_tokens", 50],
        ["GLOBAL", "cost", 9],
        ["MODEL", "requests", 0],
        ["MODEL", "requests", Number.POSITIVE_INFINITY],
      ]);
    });

    it("sees limits added or deleted by another process at the next check", async () => {
      expect((await acct.checkQuota({ model: "m" })).allowed).toBe(true);
      if (!options.reopen) return;
      const other = await options.reopen(store);
      const id = (await other.insertLimit(spec({ scope: "GLOBAL", limitType: "requests", maxValue: 0, intervalUnit: "day" }))).id;
      expect((await acct.checkQuota({ model: "m" })).allowed).toBe(false);
      await other.deleteLimit(id);
      await other.close();
      expect((await acct.checkQuota({ model: "m" })).allowed).toBe(true);
    });

    it("a limit added by another process after the limits were read but before the lock still applies", async () => {
      const other = options.reopen ? await options.reopen(store) : store;
      expect((await acct.checkQuota({ model: "m" })).allowed).toBe(true);
      // The real store, with one interleaving forced: the other process adds a deny-all limit
      // just before this facade takes the lock (after it has read the limits).
      let injected = false;
      const racing = new Proxy(store, {
        get(target, key, receiver) {
          if (key !== "guardedWrite") {
            const value = Reflect.get(target, key, receiver) as unknown;
            // Stores keep state in private fields: their methods must run on the store itself.
            return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
          }
          return async (...args: Parameters<UsageStore["guardedWrite"]>) => {
            if (!injected) {
              injected = true;
              await other.insertLimit(spec({ scope: "GLOBAL", limitType: "requests", maxValue: 0, intervalUnit: "day" }));
            }
            return target.guardedWrite(...args);
          };
        },
      });
      const raced = new Accounting({ store: racing, now: () => clock });
      await expect(raced.trackUsage({ model: "m" }, { enforceLimits: true })).rejects.toBeInstanceOf(QuotaExceededError);
      expect(await acct.tail(5)).toEqual([]);
      if (other !== store) await other.close();
    });

    it("enforced tracking writes only when allowed, and says when to retry", async () => {
      await limits({ scope: "USER", limitType: "requests", maxValue: 2, intervalUnit: "hour", username: "u" });
      await acct.trackUsage({ model: "m", username: "u" }, { enforceLimits: true });
      await acct.trackUsage({ model: "m", username: "u" }, { enforceLimits: true });
      const denied = await acct.trackUsage({ model: "m", username: "u" }, { enforceLimits: true }).catch((e: unknown) => e);
      expect(denied).toBeInstanceOf(QuotaExceededError);
      expect((denied as QuotaExceededError).retryAfterSeconds).toBe(12 * 60 + 22);
      expect((await acct.tail(10)).length).toBe(2);
    });

    it("enforced tracking refuses a timestamp before the current window, so back-dating cannot bypass a limit", async () => {
      await limits({ scope: "GLOBAL", limitType: "requests", maxValue: 1, intervalUnit: "hour" }, { scope: "GLOBAL", limitType: "requests", maxValue: 5, intervalUnit: "day" });
      const stale = acct.trackUsage({ model: "m", timestamp: ago(2 * 3600_000) }, { enforceLimits: true });
      await expect(stale).rejects.toThrow(/^timestamp must not be before the current quota window \(2024-03-15T13:00:00\.000Z\)/);
      expect(await acct.tail(10)).toEqual([]);
      // Inside the shortest window it is accepted and counted; a second call is then denied.
      await acct.trackUsage({ model: "m", timestamp: ago(60_000) }, { enforceLimits: true });
      await expect(acct.trackUsage({ model: "m", timestamp: ago(1_000) }, { enforceLimits: true })).rejects.toBeInstanceOf(QuotaExceededError);
      expect((await acct.tail(10)).length).toBe(1);
    });

    it("reservations hold budget until committed or cancelled", async () => {
      await limits({ scope: "GLOBAL", limitType: "requests", maxValue: 2, intervalUnit: "minute" });
      const a = await acct.reserve({ model: "m", username: "u" });
      const b = await acct.reserve({ model: "m" });
      await expect(acct.reserve({ model: "m" })).rejects.toBeInstanceOf(QuotaExceededError);
      expect(await b.cancel()).toBe(true);
      const c = await acct.reserve({ model: "m" });
      const record = await a.commit({ promptTokens: 12, completionTokens: 3, cost: 0.01 });
      expect(record).toMatchObject({ model: "m", username: "u", totalTokens: 15 });
      expect((await acct.tail(5)).map((r) => r.id)).toEqual([record.id]);
      await expect(acct.reserve({ model: "m" })).rejects.toBeInstanceOf(QuotaExceededError);
      await c.cancel();
      const result = await acct.guard({ model: "m" }, async () => "answer", () => ({ promptTokens: 1 }));
      expect(result).toBe("answer");
      await expect(acct.guard({ model: "m" }, async () => "late", () => ({}))).rejects.toBeInstanceOf(QuotaExceededError);
      expect((await acct.tail(5)).length).toBe(2);
    });

    it("a refused commit leaves the reservation open; guard releases it when the usage cannot be recorded", async () => {
      await limits({ scope: "GLOBAL", limitType: "requests", maxValue: 1, intervalUnit: "hour" });
      const held = await acct.reserve({ model: "m" });
      await expect(held.commit({ promptTokens: -1 })).rejects.toThrow(/^promptTokens /);
      // Nor may the usage move before the reservation (it would count in no current window).
      await expect(held.commit({ promptTokens: 1, timestamp: ago(3_600_000) })).rejects.toThrow(/^timestamp must not be before the reservation was made/);
      // Still open: it holds the budget, and a corrected commit succeeds exactly once.
      await expect(acct.reserve({ model: "m" })).rejects.toBeInstanceOf(QuotaExceededError);
      await held.commit({ promptTokens: 1 });
      await expect(held.cancel()).rejects.toThrow(/already committed or cancelled/);
      await acct.purge();
      await expect(acct.guard({ model: "m" }, async () => "ok", () => ({ completionTokens: 1.5 }))).rejects.toThrow(/^completionTokens /);
      const retried = await acct.guard({ model: "m" }, async () => "ok", () => ({ completionTokens: 1 }));
      expect(retried).toBe("ok");
      expect((await acct.tail(5)).map((r) => r.completionTokens)).toEqual([1]);
    });

    it("an expired reservation stops counting", async () => {
      await limits({ scope: "GLOBAL", limitType: "requests", maxValue: 1, intervalUnit: "hour" });
      await acct.reserve({ model: "m", ttlMs: 5_000 });
      await expect(acct.reserve({ model: "m" })).rejects.toBeInstanceOf(QuotaExceededError);
      setClock("2024-03-15T13:47:44.000Z");
      await acct.reserve({ model: "m" });
    });
  });
}
