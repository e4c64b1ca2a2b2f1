import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Accounting, windowStart, type AlertStore, type NewUsageLimit, type StoredAlert, type UsageStore } from "@llm-accounting/core";
import { sampleRecord } from "./sample-records.js";
import type { TestStoreOptions } from "./test-store-options.js";
import { freshStore } from "./fresh-store.js";

const usd = (amount: number) => BigInt(Math.round(amount * 1e9));
// Alerts are checked at the store's own clock, so rows are stamped now; a monthly window keeps the
// test away from a window boundary (it would only flake in the last seconds of a UTC month).
const spend = (amount: number, overrides: Parameters<typeof sampleRecord>[0] = {}) => sampleRecord({ timestamp: new Date(), costNanos: usd(amount), ...overrides });

const budget = (overrides: Partial<NewUsageLimit> = {}): NewUsageLimit => ({
  scope: "GLOBAL",
  limitType: "cost",
  maxValue: 1,
  intervalUnit: "monthly",
  intervalValue: 1,
  model: null,
  username: null,
  callerName: null,
  projectName: null,
  alertAt: [0.5, 1],
  ...overrides,
});

type AlertingStore = UsageStore & AlertStore;

/** The alert part of the contract: thresholds on limits, alerts raised once by writes, delivery leases. */
export function testAlertStore(options: TestStoreOptions): void {
  if (options.capabilities?.alerts === false) {
    testWithoutAlerts(options);
    return;
  }
  describe(`store contract, alerts: ${options.name}`, () => {
    let store: AlertingStore;
    beforeEach(async () => {
      store = (await freshStore(options)) as AlertingStore;
      expect(typeof store.listAlerts).toBe("function");
    });
    afterEach(async () => {
      await store?.close();
    });

    it("stores a limit's thresholds with it, and none for a limit without", async () => {
      const withAlerts = await store.insertLimit(budget({ alertAt: [0.5, 0.8, 1] }));
      const plain = await store.insertLimit(budget({ scope: "USER", username: "nobody", alertAt: undefined }));
      expect(withAlerts.alertAt).toEqual([0.5, 0.8, 1]);
      const listed = await store.listLimits();
      expect(listed.find((l) => l.id === withAlerts.id)?.alertAt).toEqual([0.5, 0.8, 1]);
      expect(listed.find((l) => l.id === plain.id)?.alertAt ?? []).toEqual([]);
    });

    it("raises one alert per threshold and window as single writes cross them, and tells listeners", async () => {
      const heard: StoredAlert[] = [];
      const stop = store.onAlertsRaised((alerts) => heard.push(...alerts));
      const limit = await store.insertLimit(budget());
      await store.insertUsage(spend(0.3));
      expect(await store.listAlerts()).toEqual([]);
      await store.insertUsage(spend(0.3)); // 0.6: crosses 50 %
      await store.insertUsage(spend(0.1)); // 0.7: nothing new
      let alerts = await store.listAlerts();
      expect(alerts).toHaveLength(1);
      const now = new Date();
      expect(alerts[0]).toMatchObject({
        limitId: limit.id,
        threshold: 0.5,
        windowKey: windowStart(now, "monthly", 1).toISOString(),
        limitType: "cost",
        maxValue: 1,
        scope: "GLOBAL",
        deliveryState: "pending",
        attempts: 0,
      });
      expect(alerts[0]!.usage).toBeCloseTo(0.6, 9);
      expect(alerts[0]!.projectedUsage).toBeGreaterThanOrEqual(0.6);
      expect(alerts[0]!.windowEnd!.getTime()).toBeGreaterThan(now.getTime());
      await store.insertUsage(spend(0.5)); // 1.2: crosses 100 %
      alerts = await store.listAlerts();
      expect(alerts.map((a) => a.threshold)).toEqual([1, 0.5]);
      expect(heard.map((a) => a.threshold)).toEqual([0.5, 1]);
      stop();
      await store.insertUsage(spend(0.1));
      expect(await store.listAlerts()).toHaveLength(2);
    });

    it("checks a batch once and alerts only limits whose filter counts the written rows", async () => {
      const alice = await store.insertLimit(budget({ scope: "USER", username: "alice", alertAt: [0.5, 0.9] }));
      await store.insertLimit(budget({ scope: "USER", username: "bob", alertAt: [0.1] }));
      await store.insertUsageBatch([spend(0.2, { username: "alice" }), spend(0.4, { username: "alice" }), spend(0.4, { username: "alice" })]);
      const alerts = await store.listAlerts();
      expect(alerts.map((a) => [a.limitId, a.threshold])).toEqual([
        [alice.id, 0.9],
        [alice.id, 0.5],
      ]);
      expect(alerts[0]!.usage).toBeCloseTo(1, 9);
    });

    it("raises each alert exactly once when two connections write at the same time", async () => {
      if (!options.reopen) return;
      const other = (await options.reopen(store)) as AlertingStore;
      try {
        await store.insertLimit(budget({ alertAt: [0.25, 0.5, 0.75, 1] }));
        await Promise.all([
          ...Array.from({ length: 6 }, () => store.insertUsage(spend(0.1))),
          ...Array.from({ length: 6 }, () => other.insertUsage(spend(0.1))),
        ]);
        const alerts = await store.listAlerts();
        expect(alerts.map((a) => a.threshold).sort()).toEqual([0.25, 0.5, 0.75, 1]);
      } finally {
        await other.close();
      }
    });

    it("raises alerts from guarded writes (trackUsage with enforced limits)", async () => {
      const accounting = new Accounting({ store });
      try {
        await accounting.setUsageLimit(budget({ maxValue: 2, alertAt: [0.5] }));
        await accounting.trackUsage({ model: "m", cost: 1.5 }, { enforceLimits: true });
        expect((await store.listAlerts()).map((a) => a.threshold)).toEqual([0.5]);
      } finally {
        await accounting.close();
      }
    });

    it("delivers each alert to onAlert after the write, and retries a failed delivery after its backoff", async () => {
      let t = Date.now();
      let down = true;
      const seen: number[] = [];
      const accounting = new Accounting({
        store,
        alertAt: [0.5],
        onAlert: (alert) => {
          seen.push(alert.threshold);
          if (down) throw new Error("receiver down");
        },
        alertDelivery: { now: () => new Date(t), retryDelayMs: 1000 },
      });
      try {
        const limit = await accounting.setUsageLimit(budget({ alertAt: undefined }));
        expect(limit.alertAt).toEqual([0.5]);
        await accounting.trackUsage({ model: "m", cost: 0.6 });
        // Waits for the pass the write started: it failed, and nothing is due again yet.
        expect(await accounting.deliverAlerts()).toMatchObject({ delivered: 0, retrying: 0, failed: 0 });
        expect(await accounting.listAlerts()).toMatchObject([{ deliveryState: "pending", attempts: 1, lastError: "receiver down" }]);
        down = false;
        t += 1000;
        expect(await accounting.deliverAlerts()).toMatchObject({ delivered: 1 });
        expect(await accounting.deliverAlerts()).toMatchObject({ delivered: 0 });
        expect(seen).toEqual([0.5, 0.5]);
        expect(await accounting.listAlerts()).toMatchObject([{ deliveryState: "delivered", attempts: 2, lastError: null }]);
      } finally {
        await accounting.close();
      }
    });

    it("leases a due alert to one deliverer at a time and records how delivery ended", async () => {
      const other = options.reopen ? ((await options.reopen(store)) as AlertingStore) : store;
      try {
        await store.insertLimit(budget({ alertAt: [0.1, 0.2] }));
        await store.insertUsage(spend(0.5));
        const t0 = new Date();
        const claimed = await store.claimAlertDeliveries(t0, 60_000, 10);
        expect(claimed.map((a) => [a.threshold, a.attempts])).toEqual([
          [0.1, 1],
          [0.2, 1],
        ]);
        expect(await other.claimAlertDeliveries(t0, 60_000, 10)).toEqual([]);
        // A lapsed lease (a deliverer that crashed) can be taken again.
        const later = new Date(t0.getTime() + 61_000);
        const retaken = await other.claimAlertDeliveries(later, 60_000, 1);
        expect(retaken.map((a) => [a.id, a.attempts])).toEqual([[claimed[0]!.id, 2]]);
        await other.finishAlertDelivery(retaken[0]!.id, { state: "delivered", at: later });
        await store.finishAlertDelivery(claimed[1]!.id, { state: "pending", nextAttemptAt: new Date(later.getTime() + 30_000), error: "HTTP 503" });
        expect(await store.claimAlertDeliveries(later, 60_000, 10)).toEqual([]);
        const retry = await store.claimAlertDeliveries(new Date(later.getTime() + 30_000), 60_000, 10);
        expect(retry.map((a) => [a.id, a.attempts, a.lastError])).toEqual([[claimed[1]!.id, 2, "HTTP 503"]]);
        await store.finishAlertDelivery(retry[0]!.id, { state: "failed", error: "gave up" });
        const states = (await store.listAlerts()).map((a) => [a.threshold, a.deliveryState, a.lastError]);
        expect(states).toEqual([
          [0.2, "failed", "gave up"],
          [0.1, "delivered", null],
        ]);
        expect((await store.listAlerts({ state: "delivered" }))[0]!.deliveredAt).toEqual(later);
      } finally {
        if (other !== store) await other.close();
      }
    });
  });
}

/** A store that keeps no alerts: it has none of the methods, and the facade refuses alert calls naming the store. */
function testWithoutAlerts(options: TestStoreOptions): void {
  describe(`store contract, alerts: ${options.name}`, () => {
    let store: UsageStore;
    beforeEach(async () => {
      store = await freshStore(options);
    });
    afterEach(async () => {
      await store?.close();
    });

    it("declares it keeps no alerts (no methods), and the facade says so when asked", async () => {
      expect([store.listAlerts, store.claimAlertDeliveries, store.finishAlertDelivery, store.onAlertsRaised]).toEqual([undefined, undefined, undefined, undefined]);
      const accounting = new Accounting({ store });
      await expect(accounting.listAlerts()).rejects.toThrow(/does not keep alerts/);
      // Limits with thresholds are still stored and enforced; only the alerts are not kept.
      await accounting.setUsageLimit(budget({ alertAt: [0.5] }));
      await accounting.trackUsage({ model: "m", cost: 0.6 });
      expect((await accounting.getUsageLimits()).map((l) => l.alertAt)).toEqual([[0.5]]);
    });
  });
}
