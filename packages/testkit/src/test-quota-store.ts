import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NewUsageLimit, UsageQuery } from "@llm-accounting/core";
import type { UsageStore } from "@llm-accounting/core";
import { sampleRecord } from "./sample-records.js";
import { freshStore } from "./fresh-store.js";
import type { TestStoreOptions } from "./test-store-options.js";

const T0 = Date.parse("2025-02-01T00:00:00.000Z");
const at = (seconds: number) => new Date(T0 + seconds * 1000);

const limit = (overrides: Partial<NewUsageLimit> = {}): NewUsageLimit => ({
  scope: "GLOBAL",
  limitType: "requests",
  maxValue: 10,
  intervalUnit: "minute",
  intervalValue: 1,
  model: null,
  username: null,
  callerName: null,
  projectName: null,
  ...overrides,
});

/** Store-level scenarios of the quota part of the contract (limits, sums, guarded writes). */
export function testQuotaStore(options: TestStoreOptions): void {
  describe(`store contract, quotas: ${options.name}`, () => {
    let store: UsageStore;
    beforeEach(async () => {
      store = await freshStore(options);
    });
    afterEach(async () => {
      await store?.close();
    });
    const insertFour = () =>
      store.insertUsageBatch([
        sampleRecord({ timestamp: at(0), model: "a", username: "u1", callerName: "c1", project: "p1", promptTokens: 1, completionTokens: 10, totalTokens: 11, costNanos: 100n }),
        sampleRecord({ timestamp: at(30), model: "a", username: "u2", callerName: "c1", project: null, promptTokens: 2, completionTokens: 20, totalTokens: 22, costNanos: 200n }),
        sampleRecord({ timestamp: at(60), model: "b", username: "u1", callerName: "c2", project: "p2", promptTokens: 4, completionTokens: 40, totalTokens: 44, costNanos: 400n }),
        sampleRecord({ timestamp: at(120), model: "b", username: "u1", callerName: "c2", project: "p1", promptTokens: 8, completionTokens: 80, totalTokens: 88, costNanos: 800n }),
      ]);

    it("stores, filters and deletes limits, bumping the limits version each time", async () => {
      const v0 = await store.limitsVersion();
      const a = await store.insertLimit(limit({ scope: "USER", username: "alice", maxValue: 5.5, limitType: "cost", intervalUnit: "monthly" }));
      const v1 = await store.limitsVersion();
      const b = await store.insertLimit(limit({ scope: "MODEL", model: "gpt-4o", intervalValue: 3, intervalUnit: "hour_rolling" }));
      const c = await store.insertLimit(limit({ scope: "PROJECT", projectName: "p1", maxValue: -1 }));
      expect(v1).not.toBe(v0);
      expect(a).toMatchObject({ scope: "USER", username: "alice", maxValue: 5.5, limitType: "cost", intervalUnit: "monthly", intervalValue: 1, model: null });
      expect(a.createdAt).toBeInstanceOf(Date);
      expect((await store.listLimits()).map((l) => l.id)).toEqual([a.id, b.id, c.id]);
      expect((await store.listLimits({ scope: "MODEL" })).map((l) => l.id)).toEqual([b.id]);
      expect((await store.listLimits({ username: "alice" })).map((l) => l.id)).toEqual([a.id]);
      expect((await store.listLimits({ projectName: "p1" }))[0]).toMatchObject({ id: c.id, maxValue: -1 });
      expect(await store.deleteLimit(b.id)).toBe(true);
      expect(await store.deleteLimit(b.id)).toBe(false);
      expect(await store.limitsVersion()).not.toBe(v1);
      expect((await store.listLimits()).map((l) => l.id)).toEqual([a.id, c.id]);
    });

    it("refuses a limit identical to one whose selectors are all set, as the original did", async () => {
      const full = limit({ scope: "USER", model: "m", username: "u", callerName: "c", projectName: "p" });
      const first = await store.insertLimit(full);
      await expect(store.insertLimit({ ...full, maxValue: 99, intervalUnit: "day" })).rejects.toThrow(/already exists/);
      // NULL selectors never clash (SQL NULLs are distinct), so these are all accepted.
      const a = await store.insertLimit(limit());
      const b = await store.insertLimit(limit());
      const c = await store.insertLimit({ ...full, callerName: null });
      expect(new Set([first.id, a.id, b.id, c.id]).size).toBe(4);
    });

    it("sums usage per filter with both window bounds inclusive", async () => {
      await insertFour();
      // needsOldest: stores that keep sums may leave `oldest` null unless asked for it.
      const q = (filter: UsageQuery["filter"], from = 0, to = 60): UsageQuery => ({ filter, start: at(from), end: at(to), needsOldest: true });
      const sums = await store.sumQuotaUsage(
        [q({}), q({ model: "a" }), q({ username: "u1" }), q({ callerName: "c2" }), q({ project: "p1" }), q({ project: null }), q({ model: "b", username: "u1" }, 0, 120), q({}, 1, 59), q({}, 200, 300)],
        at(300),
      );
      expect(sums.map((s) => s.requests)).toEqual([3, 2, 2, 1, 1, 1, 2, 1, 0]);
      expect(sums[0]).toEqual({ requests: 3, inputTokens: 7, outputTokens: 70, totalTokens: 77, costNanos: 700n, oldest: at(0) });
      expect(sums[6]).toMatchObject({ inputTokens: 12, costNanos: 1200n, oldest: at(60) });
      expect(sums[7]!.oldest).toEqual(at(30));
      expect(sums[8]).toEqual({ requests: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0, costNanos: 0n, oldest: null });
    });

    it("sees rows added, updated or deleted since the last sum, also through another connection", async () => {
      await insertFour();
      const query: UsageQuery = { filter: { model: "a" }, start: at(0), end: at(600) };
      expect((await store.sumQuotaUsage([query], at(600)))[0]!.requests).toBe(2);
      await store.insertUsage(sampleRecord({ timestamp: at(500), model: "a", promptTokens: 16, costNanos: 1600n }));
      expect((await store.sumQuotaUsage([query], at(600)))[0]).toMatchObject({ requests: 3, costNanos: 1900n });
      await store.insertUsage(sampleRecord({ timestamp: at(10), model: "a", promptTokens: 32, costNanos: 3200n }));
      expect((await store.sumQuotaUsage([query], at(600)))[0]).toMatchObject({ requests: 4, costNanos: 5100n });
      if (options.reopen) {
        const other = await options.reopen(store);
        await other.insertUsage(sampleRecord({ timestamp: at(20), model: "a", costNanos: 1n }));
        await other.close();
        expect((await store.sumQuotaUsage([query], at(600)))[0]).toMatchObject({ requests: 5, costNanos: 5101n });
      }
      await store.purgeUsage();
      expect((await store.sumQuotaUsage([query], at(600)))[0]!.requests).toBe(0);
    });

    it("counts open reservations until they are committed, cancelled or expire", async () => {
      const query: UsageQuery = { filter: { username: "r" }, start: at(0), end: at(100), needsOldest: true };
      const reserve = (seconds: number, ttl: number) =>
        store.guardedWrite([], () => at(seconds), (now) => ({
          queries: [],
          decide: () => ({
            result: "reserved",
            write: { kind: "reservation", reservation: { createdAt: now, expiresAt: at(seconds + ttl), model: "m", username: "r", callerName: null, project: null, session: null, inputTokens: 5, completionTokens: 7, costNanos: 9n } },
          }),
        }));
      const first = await reserve(10, 60);
      const second = await reserve(20, 5);
      expect(first.id).not.toBeNull();
      expect((await store.sumQuotaUsage([query], at(21)))[0]).toEqual({ requests: 2, inputTokens: 10, outputTokens: 14, totalTokens: 24, costNanos: 18n, oldest: at(10) });
      expect((await store.sumQuotaUsage([query], at(30)))[0]!.requests).toBe(1);
      const id = await store.commitReservation(first.id!, sampleRecord({ timestamp: at(40), model: "m", username: "r", promptTokens: 3, completionTokens: 4, totalTokens: 7, costNanos: 70n }));
      expect(id).toBeGreaterThan(0);
      expect((await store.sumQuotaUsage([query], at(41)))[0]).toMatchObject({ requests: 1, inputTokens: 3, costNanos: 70n, oldest: at(40) });
      const third = await reserve(50, 60);
      expect(await store.cancelReservation(third.id!)).toBe(true);
      expect(await store.cancelReservation(third.id!)).toBe(false);
      // `second` expired at 25 s and was swept when `third` was reserved.
      expect(await store.cancelReservation(second.id!)).toBe(false);
      expect((await store.sumQuotaUsage([query], at(60)))[0]!.requests).toBe(1);
    });

    it("runs a guarded decision on the sums it saw and writes what it returns", async () => {
      const query: UsageQuery = { filter: {}, start: at(0), end: at(1000) };
      const admit = () =>
        store.guardedWrite([1], () => at(100), (now) => ({
          queries: [query],
          decide: (usage) =>
            usage[0]!.requests < 3
              ? { result: true, write: { kind: "usage", record: sampleRecord({ timestamp: now, model: "g" }) } }
              : { result: false, write: { kind: "rejection", rejection: { createdAt: now, session: "sess-g", message: "no" } } },
        }));
      const outcomes = await Promise.all(Array.from({ length: 5 }, admit));
      expect(outcomes.map((o) => o.result).sort()).toEqual([false, false, true, true, true]);
      expect((await store.sumQuotaUsage([query], at(1000)))[0]!.requests).toBe(3);
      const rejections = await store.listRejections("sess-g");
      expect(rejections.map((r) => [r.session, r.message])).toEqual([["sess-g", "no"], ["sess-g", "no"]]);
      expect(await store.listRejections("other")).toEqual([]);
      const failing = store.guardedWrite([1], () => at(100), () => ({
        queries: [query],
        decide: () => {
          throw new Error("decision failed");
        },
      }));
      await expect(failing).rejects.toThrow("decision failed");
    });
  });
}
