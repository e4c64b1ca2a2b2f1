import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Accounting, costUpdatesOf, QuotaExceededError, storeCan, usageFilterMatches, withUsageContext, type NewUsageLimit, type NewUsageRecord, type UsageFilter, type UsageQuery, type UsageStore } from "@llm-accounting/core";
import { sampleRecord } from "./sample-records.js";
import { freshStore } from "./fresh-store.js";
import type { TestStoreOptions } from "./test-store-options.js";

const T0 = Date.parse("2025-04-01T00:00:00.000Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

const tagLimit = (key: string, value: string, overrides: Partial<NewUsageLimit> = {}): NewUsageLimit => ({
  scope: "TAG",
  limitType: "requests",
  maxValue: 2,
  intervalUnit: "day",
  intervalValue: 1,
  model: null,
  username: null,
  callerName: null,
  projectName: null,
  tag: { key, value },
  ...overrides,
});

/** What a store must answer for a filter: the plain sum over the records it was given. */
function expectedSums(records: readonly NewUsageRecord[], filter: UsageFilter, start: Date, end: Date) {
  const counted = records.filter((r) => r.timestamp >= start && r.timestamp <= end && usageFilterMatches(filter, r));
  return {
    requests: counted.length,
    inputTokens: counted.reduce((s, r) => s + r.promptTokens, 0),
    costNanos: counted.reduce((s, r) => s + r.costNanos, 0n),
  };
}

/** TAG limits: stored with their tag, enforced on the call's merged tags, summed exactly from the store. */
export function testTagLimits(options: TestStoreOptions): void {
  describe(`store contract: ${options.name}: TAG limits`, () => {
    let store: UsageStore;
    beforeEach(async () => {
      store = await freshStore(options);
    });
    afterEach(async () => {
      await store?.close();
    });
    const clear = async () => {
      for (const l of await store.listLimits()) await store.deleteLimit(l.id);
      await store.purgeUsage();
    };

    it("stores a limit's tag, lists it back, and deletes it with the limit", async () => {
      const stored = await store.insertLimit(tagLimit("tenant", "acme", { alertAt: [0.5] }));
      expect(stored).toMatchObject({ scope: "TAG", tag: { key: "tenant", value: "acme" }, alertAt: [0.5] });
      const pooled = await store.insertLimit(tagLimit("tenant", "*"));
      expect((await store.listLimits({ scope: "TAG" })).map((l) => [l.id, l.tag])).toEqual([
        [stored.id, { key: "tenant", value: "acme" }],
        [pooled.id, { key: "tenant", value: "*" }],
      ]);
      expect(await store.deleteLimit(stored.id)).toBe(true);
      expect((await store.listLimits()).map((l) => l.id)).toEqual([pooled.id]);
      await clear();
    });

    it("denies the call over a tag's budget with the TAG message; other values and untagged calls pass", async () => {
      const acct = new Accounting({ store, now: () => at(60) });
      await acct.setUsageLimit(tagLimit("tenant", "acme"));
      for (let i = 0; i < 2; i++) await acct.trackUsage({ model: "m", cost: 0, tags: { tenant: "acme", feature: `f${i}` } }, { enforceLimits: true });
      const denied = acct.trackUsage({ model: "m", cost: 0, tags: { tenant: "acme" } }, { enforceLimits: true });
      await expect(denied).rejects.toBeInstanceOf(QuotaExceededError);
      await expect(denied).rejects.toThrow("TAG (tag: tenant=acme) limit: 2.00 requests per 1 day exceeded. Current usage: 2.00, request: 1.00.");
      await acct.trackUsage({ model: "m", cost: 0, tags: { tenant: "globex" } }, { enforceLimits: true });
      await acct.trackUsage({ model: "m", cost: 0 }, { enforceLimits: true });
      expect((await acct.checkQuota({ model: "m", tags: { tenant: "acme" } })).allowed).toBe(false);
      expect((await acct.checkQuota({ model: "m", tags: { tenant: "ACME" } })).allowed).toBe(true);
      await clear();
    });

    it("`*` pools every value of the key; calls without the key are neither limited nor counted", async () => {
      const acct = new Accounting({ store, now: () => at(60) });
      await acct.setUsageLimit(tagLimit("tenant", "*", { limitType: "input_tokens", maxValue: 100 }));
      await acct.trackUsage({ model: "m", promptTokens: 60, cost: 0, tags: { tenant: "a" } }, { enforceLimits: true });
      await acct.trackUsage({ model: "m", promptTokens: 500, cost: 0 }, { enforceLimits: true });
      const decision = await acct.checkQuota({ model: "m", promptTokens: 50, cost: 0, tags: { tenant: "b" } });
      expect(decision.reason).toBe("TAG (tag: tenant=*) limit: 100.00 input_tokens per 1 day exceeded. Current usage: 60.00, request: 50.00.");
      expect((await acct.checkQuota({ model: "m", promptTokens: 40, cost: 0, tags: { tenant: "b" } })).allowed).toBe(true);
      await clear();
    });

    it("matches the tags merged from the facade, the context and the call, as recording merges them", async () => {
      const acct = new Accounting({ store, now: () => at(60), tags: { tenant: "acme" } });
      await acct.setUsageLimit(tagLimit("tenant", "acme", { maxValue: 1 }));
      await acct.setUsageLimit(tagLimit("team", "search", { maxValue: 1 }));
      await acct.trackUsage({ model: "m", cost: 0 }, { enforceLimits: true });
      expect((await acct.checkQuota({ model: "m" })).reason).toMatch(/^TAG \(tag: tenant=acme\)/);
      // The call's own value wins over the facade's: not this tenant, so not its limit.
      expect((await acct.checkQuota({ model: "m", tags: { tenant: "globex" } })).allowed).toBe(true);
      await withUsageContext({ tags: { tenant: "globex", team: "search" } }, async () => {
        await acct.trackUsage({ model: "m", cost: 0 }, { enforceLimits: true });
        expect((await acct.checkQuota({ model: "m" })).reason).toMatch(/^TAG \(tag: team=search\)/);
      });
      expect((await store.tail(5)).map((r) => r.tags)).toEqual([
        { team: "search", tenant: "globex" },
        { tenant: "acme" },
      ]);
      await clear();
    });

    it("narrows by the other selectors too, and names them in the message", async () => {
      const acct = new Accounting({ store, now: () => at(60) });
      await acct.setUsageLimit(tagLimit("tenant", "acme", { model: "big", username: "u", maxValue: 1 }));
      await acct.trackUsage({ model: "big", username: "u", cost: 0, tags: { tenant: "acme" } }, { enforceLimits: true });
      await acct.trackUsage({ model: "small", username: "u", cost: 0, tags: { tenant: "acme" } }, { enforceLimits: true });
      expect((await acct.checkQuota({ model: "big", username: "u", tags: { tenant: "acme" } })).reason).toBe(
        "TAG (model: big, user: u, tag: tenant=acme) limit: 1.00 requests per 1 day exceeded. Current usage: 1.00, request: 1.00.",
      );
      expect((await acct.checkQuota({ model: "big", username: "v", tags: { tenant: "acme" } })).allowed).toBe(true);
      await clear();
    });

    it("counts reservations by their tags until committed (with the tags) or cancelled", async () => {
      const acct = new Accounting({ store, now: () => at(60) });
      await acct.setUsageLimit(tagLimit("tenant", "acme", { maxValue: 1 }));
      const held = await acct.reserve({ model: "m", cost: 0, tags: { tenant: "acme" } });
      await expect(acct.reserve({ model: "m", cost: 0, tags: { tenant: "acme" } })).rejects.toThrow(/^TAG \(tag: tenant=acme\)/);
      await acct.reserve({ model: "m", cost: 0, tags: { tenant: "globex" } });
      await held.cancel();
      const again = await acct.reserve({ model: "m", cost: 0, tags: { tenant: "acme" } });
      const record = await again.commit({ promptTokens: 3, cost: 0 });
      expect(record.tags).toEqual({ tenant: "acme" });
      expect((await acct.checkQuota({ model: "m", tags: { tenant: "acme" } })).allowed).toBe(false);
      await clear();
    });

    it("sums a tag filter exactly through single inserts, batches, cost updates and purges, for old and new rows", async () => {
      const values = ["a", "b", "c"];
      const make = (i: number): NewUsageRecord =>
        sampleRecord({
          // Spread over three hours and a bit, so windows read whole minutes and hours as well as edges.
          timestamp: new Date(T0 + ((i * 7919) % 200) * 60_000 + (i % 13) * 1000),
          model: i % 4 === 0 ? "x" : "y",
          project: i % 5 === 0 ? null : "p",
          promptTokens: i,
          costNanos: BigInt(i * 1000),
          ...(i % 3 === 2 ? {} : { tags: { tenant: values[i % values.length]!, ...(i % 2 ? { tier: "gold" } : {}) } }),
        });
      const records: NewUsageRecord[] = [];
      // Rows stored before any filter exists are back-filled when it is registered.
      for (let i = 0; i < 20; i++) records.push(make(i));
      await store.insertUsageBatch(records.slice(0, 10));
      for (const r of records.slice(10)) await store.insertUsage(r);
      const filters: UsageFilter[] = [{ tag: { key: "tenant", value: "a" } }, { tag: { key: "tenant", value: null } }, { model: "y", tag: { key: "tier", value: "gold" } }, { project: null, tag: { key: "tenant", value: "b" } }];
      const windows: [Date, Date][] = [
        [at(0), at(240)],
        [new Date(T0 + 61_500), new Date(T0 + 7_250_000)],
        [at(120), at(121)],
      ];
      const queries: UsageQuery[] = filters.flatMap((filter) => windows.map(([start, end]) => ({ filter, start, end })));
      const check = async (all: readonly NewUsageRecord[]) => {
        const sums = await store.sumQuotaUsage(queries, at(300));
        expect(sums.map((s) => ({ requests: s.requests, inputTokens: s.inputTokens, costNanos: s.costNanos }))).toEqual(queries.map((q) => expectedSums(all, q.filter, q.start, q.end)));
      };
      await check(records);
      for (let i = 20; i < 40; i++) records.push(make(i));
      await store.insertUsageBatch(records.slice(20, 30));
      for (const r of records.slice(30)) await store.insertUsage(r);
      await check(records);
      const stored = await store.usageInRange({ start: at(0), end: at(300) }, 0, 100);
      // A store without costUpdates keeps its costs (nothing can change them); the sums must still hold.
      const reprices = storeCan(store, "costUpdates");
      const doubled = stored.filter((r) => reprices && r.promptTokens % 2 === 0);
      if (reprices) await costUpdatesOf(store)(doubled.map((r) => ({ id: r.id, costNanos: r.costNanos * 2n, costSource: "price" })));
      const repriced = records.map((r) => (reprices && r.promptTokens % 2 === 0 ? { ...r, costNanos: r.costNanos * 2n } : r));
      await check(repriced);
      await store.purgeUsage({ project: "p" });
      await check(repriced.filter((r) => r.project !== "p"));
      await clear();
    });
  });
}
