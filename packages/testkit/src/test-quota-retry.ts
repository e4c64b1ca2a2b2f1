import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Accounting, QuotaExceededError, type NewUsageLimit, type UsageStore } from "@llm-accounting/core";
import { sampleRecord } from "./sample-records.js";
import type { TestStoreOptions } from "./test-store-options.js";
import { freshStore } from "./fresh-store.js";

const START = Date.parse("2024-03-15T13:47:38.000Z");
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 86_400_000;

const rolling = (overrides: Partial<NewUsageLimit>): NewUsageLimit => ({
  scope: "GLOBAL",
  limitType: "requests",
  maxValue: 10,
  intervalUnit: "hour_rolling",
  intervalValue: 1,
  model: null,
  username: null,
  callerName: null,
  projectName: null,
  ...overrides,
});

/**
 * Rolling-window retry times on a real store: a denial says when enough usage has left the
 * window for the request to fit (rows, and reservations until they expire), checked by moving
 * the clock to that instant and one second before it.
 */
export function testQuotaRetry(options: TestStoreOptions): void {
  describe(`quota retry times: ${options.name}`, () => {
    let store: UsageStore;
    let clock = new Date(START);
    let acct: Accounting;
    const at = (ms: number) => new Date(START + ms);
    const insert = (times: readonly number[], overrides: { costNanos?: bigint; promptTokens?: number } = {}) =>
      store.insertUsageBatch(times.map((t) => sampleRecord({ timestamp: at(t), model: "gpt-4", username: null, callerName: null, project: null, session: null, ...overrides })));
    /** The check at `ms` from the start, by the facade (default options) with the clock set there. */
    const checkAt = (ms: number, input: Parameters<Accounting["checkQuota"]>[0]) => {
      clock = at(ms);
      return acct.checkQuota(input);
    };

    beforeEach(async () => {
      clock = new Date(START);
      store = await freshStore(options);
      acct = new Accounting({ store, now: () => clock });
      await acct.open();
    });
    afterEach(async () => {
      await acct?.close();
    });

    it("7-day limit of 5,000 requests with 6,901 in the window: retry once 1,902 rows have left", async () => {
      await acct.setUsageLimit(rolling({ maxValue: 5000, intervalUnit: "week_rolling" }));
      // One row every 87 s back from now (just under 7 days), plus one older than the window.
      const times = Array.from({ length: 6901 }, (_, i) => -(6900 - i) * 87 * SECOND);
      await insert([-8 * DAY, ...times]);
      const d = await checkAt(0, { model: "gpt-4" });
      expect(d.allowed).toBe(false);
      expect(d.reason).toContain("Current usage: 6901.00");
      // 6,901 + 1 must fall to 5,000: the 1,902nd oldest row must be out of the window, which it
      // is one second after it is exactly 7 days old.
      const expected = times[1901]! + 7 * DAY + SECOND;
      expect(d.resetAt).toEqual(at(expected));
      expect(d.retryAfterSeconds).toBe(expected / SECOND);
      expect(d.retryAfterSeconds!).toBeGreaterThan(1.9 * 86_400);
      expect((await checkAt(expected - SECOND, { model: "gpt-4" })).allowed).toBe(false);
      expect((await checkAt(expected, { model: "gpt-4" })).allowed).toBe(true);
    });

    it("cost: waits until rows worth the request have left, not only the smaller oldest one", async () => {
      await acct.setUsageLimit(rolling({ limitType: "cost", maxValue: 1 }));
      await insert([-50 * MINUTE], { costNanos: 100_000_000n });
      await insert([-20 * MINUTE], { costNanos: 900_000_000n });
      const d = await checkAt(0, { model: "gpt-4", cost: 0.3 });
      expect(d.allowed).toBe(false);
      // The $0.10 row leaves at +10 min, too little for $0.30; the $0.90 one at +40 min.
      const expected = 40 * MINUTE + SECOND;
      expect(d.resetAt).toEqual(at(expected));
      expect(d.retryAfterSeconds).toBe(expected / SECOND);
      expect((await checkAt(expected - SECOND, { model: "gpt-4", cost: 0.3 })).allowed).toBe(false);
      expect((await checkAt(expected, { model: "gpt-4", cost: 0.3 })).allowed).toBe(true);
      // A request larger than the limit never fits: no retry time.
      expect(await checkAt(0, { model: "gpt-4", cost: 1.01 })).toMatchObject({ allowed: false, retryAfterSeconds: null, resetAt: null });
    });

    it("tokens: the running sum of the oldest rows, whatever their sizes", async () => {
      await acct.setUsageLimit(rolling({ limitType: "input_tokens", maxValue: 1000, intervalUnit: "minute_rolling" }));
      await insert([-50 * SECOND], { promptTokens: 100 });
      await insert([-40 * SECOND, -30 * SECOND], { promptTokens: 400 });
      // 900 used + 500 asked: 400 must leave, i.e. the two oldest rows (the second leaves at +21 s).
      const d = await checkAt(0, { model: "gpt-4", inputTokens: 500 });
      expect(d.retryAfterSeconds).toBe(21);
      expect((await checkAt(20 * SECOND, { model: "gpt-4", inputTokens: 500 })).allowed).toBe(false);
      expect((await checkAt(21 * SECOND, { model: "gpt-4", inputTokens: 500 })).allowed).toBe(true);
    });

    it("a reservation counts until it expires, and a guarded denial gives the same time", async () => {
      await acct.setUsageLimit(rolling({ maxValue: 2 }));
      await insert([-10 * MINUTE]);
      await acct.reserve({ model: "gpt-4", ttlMs: 90 * SECOND });
      // Two counted, one asked: the reservation expiring (in 90 s) frees room before the row leaves (in 50 min).
      const d = await checkAt(0, { model: "gpt-4" });
      expect(d).toMatchObject({ allowed: false, retryAfterSeconds: 90, resetAt: at(90 * SECOND) });
      const denied = await acct.reserve({ model: "gpt-4" }).then(
        () => null,
        (error: unknown) => error,
      );
      expect(denied).toBeInstanceOf(QuotaExceededError);
      expect((denied as QuotaExceededError).retryAfterSeconds).toBe(90);
      expect((await checkAt(90 * SECOND - 1, { model: "gpt-4" })).allowed).toBe(false);
      expect((await checkAt(90 * SECOND, { model: "gpt-4" })).allowed).toBe(true);
    });

    it("a reservation leaves with the window when it expires later", async () => {
      // Two days on from START: rows and a reservation of this case's own, far from the others' times.
      const B = 2 * DAY;
      await acct.setUsageLimit(rolling({ maxValue: 2, intervalUnit: "minute_rolling" }));
      await insert([B - 50 * SECOND]);
      clock = at(B - 40 * SECOND);
      await acct.reserve({ model: "gpt-4", ttlMs: 10 * MINUTE });
      // The row leaves at +11 s: that frees enough, before the reservation leaves (+21 s).
      expect((await checkAt(B, { model: "gpt-4" })).retryAfterSeconds).toBe(11);
      await insert([B - 5 * SECOND]);
      // Now two must go: the reservation leaves the window at +21 s, long before it expires.
      expect((await checkAt(B, { model: "gpt-4" })).retryAfterSeconds).toBe(21);
      expect((await checkAt(B + 20 * SECOND, { model: "gpt-4" })).allowed).toBe(false);
      expect((await checkAt(B + 21 * SECOND, { model: "gpt-4" })).allowed).toBe(true);
    });
  });
}
