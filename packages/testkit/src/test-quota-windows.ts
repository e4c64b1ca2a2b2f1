import { describe, expect, it } from "vitest";
import { Accounting, QuotaExceededError, type UsageStore } from "@llm-accounting/core";
import type { IntervalUnit } from "@llm-accounting/core";
import type { TestStoreOptions } from "./test-store-options.js";
import { quotaHarness, spec } from "./quota-scenario-harness.js";

/**
 * The Python original's quota scenarios for windows (rolling and fixed), enforced tracking,
 * limits changed by other processes and reservations, on a real store with an injected clock.
 */
export function testQuotaWindows(options: TestStoreOptions): void {
  describe(`quota windows and reservations: ${options.name}`, () => {
    const h = quotaHarness(options);
    const { limits, track, setClock, ago } = h;

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
        await h.acct.trackUsage({ model: "m", timestamp: ago(ms + 1000) });
        expect((await h.acct.checkQuota({ model: "m" })).allowed).toBe(true);
        await h.acct.trackUsage({ model: "m", timestamp: ago(ms) });
        const d = await h.acct.checkQuota({ model: "m" });
        expect(d.reason).toBe(`GLOBAL limit: 1.00 requests per 1 ${unit} exceeded. Current usage: 1.00, request: 1.00.`);
        expect(d.retryAfterSeconds).toBe(1);
      });
    }

    it("monthly_rolling: the last N calendar months up to now, not from the 1st", async () => {
      await limits({ scope: "GLOBAL", limitType: "requests", maxValue: 1, intervalUnit: "monthly_rolling" });
      await h.acct.trackUsage({ model: "m", timestamp: "2024-02-15T13:47:37.000Z" });
      await h.acct.trackUsage({ model: "m", timestamp: "2024-02-01T00:00:00.000Z" });
      expect((await h.acct.checkQuota({ model: "m" })).allowed).toBe(true);
      await h.acct.trackUsage({ model: "m", timestamp: "2024-02-15T13:47:38.000Z" });
      expect((await h.acct.checkQuota({ model: "m" })).allowed).toBe(false);
    });

    it("fixed windows start on calendar boundaries in UTC", async () => {
      await limits({ scope: "GLOBAL", limitType: "requests", maxValue: 1, intervalUnit: "monthly", intervalValue: 3 });
      await h.acct.trackUsage({ model: "m", timestamp: "2023-12-31T23:59:59.000Z" });
      expect((await h.acct.checkQuota({ model: "m" })).allowed).toBe(true);
      await h.acct.trackUsage({ model: "m", timestamp: "2024-01-01T00:00:00.000Z" });
      const d = await h.acct.checkQuota({ model: "m" });
      expect(d.allowed).toBe(false);
      expect(d.resetAt?.toISOString()).toBe("2024-04-01T00:00:00.000Z");
    });

    it("mixed fixed and rolling: the rolling minute denies inside a fixed day", async () => {
      await limits(
        { scope: "GLOBAL", limitType: "requests", maxValue: 100, intervalUnit: "day" },
        { scope: "GLOBAL", limitType: "requests", maxValue: 5, intervalUnit: "minute_rolling" },
      );
      await track({ model: "m" }, 5);
      expect((await h.acct.checkQuota({ model: "m" })).reason).toMatch(/^GLOBAL limit: 5\.00 requests per 1 minute_rolling exceeded/);
      setClock("2024-03-15T13:48:39.000Z");
      expect((await h.acct.checkQuota({ model: "m" })).allowed).toBe(true);
    });

    it("records a rejection only for a denied check that carries a session", async () => {
      await limits({ scope: "GLOBAL", limitType: "requests", maxValue: 0, intervalUnit: "day" });
      await h.acct.checkQuota({ model: "m" });
      await h.acct.checkQuota({ model: "m", session: "s-9" });
      await expect(h.acct.trackUsage({ model: "m", session: "s-9" }, { enforceLimits: true })).rejects.toBeInstanceOf(QuotaExceededError);
      const rejections = await h.store.listRejections("s-9");
      expect(rejections.map((r) => r.message)).toEqual([
        "GLOBAL limit: 0.00 requests per 1 day exceeded. Current usage: 0.00, request: 1.00.",
        "GLOBAL limit: 0.00 requests per 1 day exceeded. Current usage: 0.00, request: 1.00.",
      ]);
      expect((await h.store.listRejections()).length).toBe(2);
    });

    it("remaining limits after tracking", async () => {
      await limits(
        { scope: "USER", limitType: "total_tokens", maxValue: 100, intervalUnit: "day", username: "u" },
        { scope: "GLOBAL", limitType: "cost", maxValue: 10, intervalUnit: "day" },
        { scope: "MODEL", limitType: "requests", maxValue: 0, intervalUnit: "day", model: "*" },
        { scope: "MODEL", limitType: "requests", maxValue: -1, intervalUnit: "day", model: "gpt-4" },
        { scope: "MODEL", limitType: "requests", maxValue: 9, intervalUnit: "day", model: "other" },
      );
      const { record, remaining } = await h.acct.trackUsageWithRemainingLimits({ model: "gpt-4", username: "u", promptTokens: 30, completionTokens: 20, cost: 1, timestamp: h.clock });
      expect(record.totalTokens).toBe(50);
      expect(remaining.map((r) => [r.limit.scope, r.limit.limitType, r.remaining])).toEqual([
        ["USER", "total_tokens", 50],
        ["GLOBAL", "cost", 9],
        ["MODEL", "requests", 0],
        ["MODEL", "requests", Number.POSITIVE_INFINITY],
      ]);
    });

    it("sees limits added or deleted by another process at the next check", async () => {
      expect((await h.acct.checkQuota({ model: "m" })).allowed).toBe(true);
      if (!options.reopen) return;
      const other = await options.reopen(h.store);
      const id = (await other.insertLimit(spec({ scope: "GLOBAL", limitType: "requests", maxValue: 0, intervalUnit: "day" }))).id;
      expect((await h.acct.checkQuota({ model: "m" })).allowed).toBe(false);
      await other.deleteLimit(id);
      await other.close();
      expect((await h.acct.checkQuota({ model: "m" })).allowed).toBe(true);
    });

    it("a limit added by another process after the limits were read but before the lock still applies", async () => {
      const other = options.reopen ? await options.reopen(h.store) : h.store;
      expect((await h.acct.checkQuota({ model: "m" })).allowed).toBe(true);
      // The real h.store, with one interleaving forced: the other process adds a deny-all limit
      // just before this facade takes the lock (after it has read the limits).
      let injected = false;
      const racing = new Proxy(h.store, {
        get(target, key, receiver) {
          if (key !== "guardedWrite") {
            const value = Reflect.get(target, key, receiver) as unknown;
            // Stores keep state in private fields: their methods must run on the h.store itself.
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
      const raced = new Accounting({ store: racing, now: () => h.clock });
      await expect(raced.trackUsage({ model: "m" }, { enforceLimits: true })).rejects.toBeInstanceOf(QuotaExceededError);
      expect(await h.acct.tail(5)).toEqual([]);
      if (other !== h.store) await other.close();
    });

    it("enforced tracking writes only when allowed, and says when to retry", async () => {
      await limits({ scope: "USER", limitType: "requests", maxValue: 2, intervalUnit: "hour", username: "u" });
      await h.acct.trackUsage({ model: "m", username: "u" }, { enforceLimits: true });
      await h.acct.trackUsage({ model: "m", username: "u" }, { enforceLimits: true });
      const denied = await h.acct.trackUsage({ model: "m", username: "u" }, { enforceLimits: true }).catch((e: unknown) => e);
      expect(denied).toBeInstanceOf(QuotaExceededError);
      expect((denied as QuotaExceededError).retryAfterSeconds).toBe(12 * 60 + 22);
      expect((await h.acct.tail(10)).length).toBe(2);
    });

    it("enforced tracking refuses a timestamp before the current window, so back-dating cannot bypass a limit", async () => {
      await limits({ scope: "GLOBAL", limitType: "requests", maxValue: 1, intervalUnit: "hour" }, { scope: "GLOBAL", limitType: "requests", maxValue: 5, intervalUnit: "day" });
      const stale = h.acct.trackUsage({ model: "m", timestamp: ago(2 * 3600_000) }, { enforceLimits: true });
      await expect(stale).rejects.toThrow(/^timestamp must not be before the current quota window \(2024-03-15T13:00:00\.000Z\)/);
      expect(await h.acct.tail(10)).toEqual([]);
      // Inside the shortest window it is accepted and counted; a second call is then denied.
      await h.acct.trackUsage({ model: "m", timestamp: ago(60_000) }, { enforceLimits: true });
      await expect(h.acct.trackUsage({ model: "m", timestamp: ago(1_000) }, { enforceLimits: true })).rejects.toBeInstanceOf(QuotaExceededError);
      expect((await h.acct.tail(10)).length).toBe(1);
    });

    it("reservations hold budget until committed or cancelled", async () => {
      await limits({ scope: "GLOBAL", limitType: "requests", maxValue: 2, intervalUnit: "minute" });
      const a = await h.acct.reserve({ model: "m", username: "u" });
      const b = await h.acct.reserve({ model: "m" });
      await expect(h.acct.reserve({ model: "m" })).rejects.toBeInstanceOf(QuotaExceededError);
      expect(await b.cancel()).toBe(true);
      const c = await h.acct.reserve({ model: "m" });
      const record = await a.commit({ promptTokens: 12, completionTokens: 3, cost: 0.01 });
      expect(record).toMatchObject({ model: "m", username: "u", totalTokens: 15 });
      expect((await h.acct.tail(5)).map((r) => r.id)).toEqual([record.id]);
      await expect(h.acct.reserve({ model: "m" })).rejects.toBeInstanceOf(QuotaExceededError);
      await c.cancel();
      const result = await h.acct.guard({ model: "m" }, async () => "answer", () => ({ promptTokens: 1 }));
      expect(result).toBe("answer");
      await expect(h.acct.guard({ model: "m" }, async () => "late", () => ({}))).rejects.toBeInstanceOf(QuotaExceededError);
      expect((await h.acct.tail(5)).length).toBe(2);
    });

    it("a refused commit leaves the reservation open; guard releases it when the usage cannot be recorded", async () => {
      await limits({ scope: "GLOBAL", limitType: "requests", maxValue: 1, intervalUnit: "hour" });
      const held = await h.acct.reserve({ model: "m" });
      await expect(held.commit({ promptTokens: -1 })).rejects.toThrow(/^promptTokens /);
      // Nor may the usage move before the reservation (it would count in no current window).
      await expect(held.commit({ promptTokens: 1, timestamp: ago(3_600_000) })).rejects.toThrow(/^timestamp must not be before the reservation was made/);
      // Still open: it holds the budget, and a corrected commit succeeds exactly once.
      await expect(h.acct.reserve({ model: "m" })).rejects.toBeInstanceOf(QuotaExceededError);
      await held.commit({ promptTokens: 1 });
      await expect(held.cancel()).rejects.toThrow(/already committed or cancelled/);
      await h.acct.purge();
      await expect(h.acct.guard({ model: "m" }, async () => "ok", () => ({ completionTokens: 1.5 }))).rejects.toThrow(/^completionTokens /);
      const retried = await h.acct.guard({ model: "m" }, async () => "ok", () => ({ completionTokens: 1 }));
      expect(retried).toBe("ok");
      expect((await h.acct.tail(5)).map((r) => r.completionTokens)).toEqual([1]);
    });

    it("an expired reservation stops counting", async () => {
      await limits({ scope: "GLOBAL", limitType: "requests", maxValue: 1, intervalUnit: "hour" });
      await h.acct.reserve({ model: "m", ttlMs: 5_000 });
      await expect(h.acct.reserve({ model: "m" })).rejects.toBeInstanceOf(QuotaExceededError);
      setClock("2024-03-15T13:47:44.000Z");
      await h.acct.reserve({ model: "m" });
    });
  });
}
