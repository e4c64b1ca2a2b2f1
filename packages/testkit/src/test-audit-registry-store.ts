import { costUpdatesOf, groupedSumsOf, storeCan, type UsageDimension } from "@llm-accounting/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NewAuditEntry } from "@llm-accounting/core";
import type { UsageStore } from "@llm-accounting/core";
import { sampleRecord } from "./sample-records.js";
import type { TestStoreOptions } from "./test-store-options.js";
import { freshStore } from "./fresh-store.js";

const T0 = Date.parse("2025-03-01T00:00:00.000Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const TRICKY = 'line one\nline "two", with commas\r\nand unicode: žluť 🚀';

const audit = (overrides: Partial<NewAuditEntry> = {}): NewAuditEntry => ({
  timestamp: at(0),
  appName: "app",
  userName: "alice",
  model: "gpt-4o",
  promptText: null,
  responseText: null,
  remoteCompletionId: null,
  project: null,
  logType: "event",
  session: null,
  ...overrides,
});

/** Store scenarios for the audit log, project and user registries, and session filters. */
export function testAuditRegistryStore(options: TestStoreOptions): void {
  describe(`store contract, audit, registries and sessions: ${options.name}`, () => {
    let store: UsageStore;
    beforeEach(async () => {
      store = await freshStore(options);
    });
    afterEach(async () => {
      await store?.close();
    });
    const insertThreeEntries = async () => [
      await store.insertAuditEntry(audit({ timestamp: at(1), logType: "prompt", promptText: TRICKY, project: "p1", session: "s1" })),
      await store.insertAuditEntry(audit({ timestamp: at(2), logType: "response", responseText: "ok", remoteCompletionId: "cmpl-1", project: "p1", session: "s1" })),
      await store.insertAuditEntry(audit({ timestamp: at(3), appName: "other", userName: "bob", logType: "event", promptText: "", model: "o3" })),
    ];

    it("stores audit entries losslessly and filters them, newest first", async () => {
      const ids = await insertThreeEntries();
      const all = await store.listAuditEntries();
      expect(all.map((e) => e.id)).toEqual([ids[2], ids[1], ids[0]]);
      expect(all[2]).toEqual({ id: ids[0], ...audit({ timestamp: at(1), logType: "prompt", promptText: TRICKY, project: "p1", session: "s1" }) });
      expect(all[0]!.promptText).toBe("");
      expect((await store.listAuditEntries({ model: "o3" })).map((e) => e.id)).toEqual([ids[2]]);
      expect((await store.listAuditEntries({ session: "s1" })).map((e) => e.logType)).toEqual(["response", "prompt"]);
      expect((await store.listAuditEntries({ appName: "other" })).map((e) => e.userName)).toEqual(["bob"]);
      expect((await store.listAuditEntries({ userName: "alice", logType: "prompt" })).length).toBe(1);
      expect((await store.listAuditEntries({ project: "p1" })).length).toBe(2);
      expect((await store.listAuditEntries({ project: null })).map((e) => e.id)).toEqual([ids[2]]);
      expect((await store.listAuditEntries({ start: at(2), end: at(3) })).length).toBe(2);
      expect((await store.listAuditEntries({ limit: 1 })).map((e) => e.id)).toEqual([ids[2]]);
      expect(await store.listAuditEntries({ session: "none" })).toEqual([]);
    });

    it("keeps the audit log when usage is purged", async () => {
      await insertThreeEntries();
      await store.insertUsage(sampleRecord());
      await store.purgeUsage();
      expect((await store.listAuditEntries()).length).toBe(3);
    });

    it("registers, renames and deletes projects, refusing duplicates", async () => {
      const v0 = await store.registryVersion();
      await store.createProject("beta");
      await store.createProject("alpha");
      expect(await store.registryVersion()).not.toBe(v0);
      expect(await store.listProjects()).toEqual(["alpha", "beta"]);
      await expect(store.createProject("alpha")).rejects.toThrow("Project 'alpha' already exists");
      expect(await store.renameProject("beta", "gamma")).toBe(true);
      expect(await store.renameProject("nope", "x")).toBe(false);
      await expect(store.renameProject("gamma", "alpha")).rejects.toThrow("already exists");
      expect(await store.deleteProject("alpha")).toBe(true);
      expect(await store.deleteProject("alpha")).toBe(false);
      expect(await store.listProjects()).toEqual(["gamma"]);
    });

    it("registers users, updates them and stamps deactivation and reactivation", async () => {
      const created = await store.createUser({ userName: "zoe", ouName: "research", email: "zoe@example.com" }, at(10));
      expect(created).toMatchObject({ userName: "zoe", ouName: "research", email: "zoe@example.com", enabled: true, lastDisabledAt: null });
      expect(created.createdAt).toEqual(at(10));
      await store.createUser({ userName: "adam", ouName: null, email: null }, at(11));
      await expect(store.createUser({ userName: "zoe", ouName: null, email: null }, at(12))).rejects.toThrow("User 'zoe' already exists");
      expect(await store.updateUser("zoe", { email: "z@example.org", ouName: null })).toBe(true);
      expect(await store.updateUser("nobody", { email: "x" })).toBe(false);
      const v = await store.registryVersion();
      expect(await store.setUserEnabled("zoe", false, at(20))).toBe(true);
      expect(await store.registryVersion()).not.toBe(v);
      let zoe = (await store.listUsers()).find((u) => u.userName === "zoe")!;
      expect(zoe).toMatchObject({ enabled: false, email: "z@example.org", ouName: null, lastDisabledAt: at(20), lastEnabledAt: at(10) });
      expect(await store.setUserEnabled("zoe", true, at(30))).toBe(true);
      zoe = (await store.listUsers()).find((u) => u.userName === "zoe")!;
      expect(zoe).toMatchObject({ enabled: true, lastEnabledAt: at(30), lastDisabledAt: at(20) });
      expect(await store.updateUser("adam", { newUserName: "abe" })).toBe(true);
      expect((await store.listUsers()).map((u) => u.userName)).toEqual(["abe", "zoe"]);
    });

    it("filters tail and sums by session and breaks usage down by any column", async () => {
      await store.insertUsageBatch([
        sampleRecord({ timestamp: at(1), model: "a", username: "u1", callerName: "c1", project: "p1", session: "s1", promptTokens: 1, costNanos: 10n }),
        sampleRecord({ timestamp: at(2), model: "b", username: "u1", callerName: "c2", project: null, session: "s1", promptTokens: 2, costNanos: 20n }),
        sampleRecord({ timestamp: at(3), model: "a", username: "u2", callerName: "c1", project: "p2", session: null, promptTokens: 4, costNanos: 40n }),
        sampleRecord({ timestamp: at(200), model: "a", username: null, callerName: null, project: "p1", session: "s2", promptTokens: 8, costNanos: 80n }),
      ]);
      const range = { start: at(0), end: at(300) };
      expect((await store.tail(10, { session: "s1" })).map((r) => r.model)).toEqual(["b", "a"]);
      // A time range, both ends included, alone or with a session.
      expect((await store.tail(10, { since: at(2), until: at(3) })).map((r) => r.promptTokens)).toEqual([4, 2]);
      expect((await store.tail(10, { since: at(2) })).map((r) => r.promptTokens)).toEqual([8, 4, 2]);
      expect((await store.tail(10, { until: at(1) })).map((r) => r.promptTokens)).toEqual([1]);
      expect((await store.tail(1, { session: "s1", until: at(2) })).map((r) => r.promptTokens)).toEqual([2]);
      expect(await store.sumUsage(range, { session: "s1" })).toMatchObject({ requests: 2, promptTokens: 3, costNanos: 30n });
      expect((await groupedSumsOf(store).sumUsageByModel(range, { session: "s1" })).map((m) => [m.model, m.requests])).toEqual([["a", 1], ["b", 1]]);
      const by = async (dimension: UsageDimension) => (await groupedSumsOf(store).sumUsageBy(range, dimension)).map((g) => [g.key, g.requests, g.costNanos]);
      expect(await by("username")).toEqual([["u1", 2, 30n], ["u2", 1, 40n], [null, 1, 80n]]);
      expect(await by("callerName")).toEqual([["c1", 2, 50n], ["c2", 1, 20n], [null, 1, 80n]]);
      expect(await by("project")).toEqual([["p1", 2, 90n], ["p2", 1, 40n], [null, 1, 20n]]);
      expect(await by("session")).toEqual([["s1", 2, 30n], ["s2", 1, 80n], [null, 1, 40n]]);
      expect(await by("model")).toEqual([["a", 3, 130n], ["b", 1, 20n]]);
      expect((await groupedSumsOf(store).sumUsageBy({ start: at(0), end: at(100) }, "project", { session: "s1" })).map((g) => g.key)).toEqual(["p1", null]);
    });

    it("changes the usage mutations number on a cost change and a purge, so watchers see them", async () => {
      if (!store.usageMutations) {
        // Without the counter (capability usageMutations) a watcher sees new records by their ids only.
        await store.insertUsage(sampleRecord({ timestamp: at(1) }));
        const [seen] = await store.tail(1);
        const id = await store.insertUsage(sampleRecord({ timestamp: at(2), costNanos: 7n }));
        expect((await store.usageInRange({ start: at(0), end: at(3) }, seen!.id, 10)).map((r) => [r.id, r.costNanos])).toEqual([[id, 7n]]);
        return;
      }
      await store.insertUsageBatch([sampleRecord({ timestamp: at(1), costNanos: 10n }), sampleRecord({ timestamp: at(2), costNanos: 20n })]);
      const m0 = await store.usageMutations();
      const [first] = await store.tail(1);
      // A store without costUpdates has no cost change to count.
      if (storeCan(store, "costUpdates")) await costUpdatesOf(store)([{ id: first!.id, costNanos: 99n, costSource: "price" }]);
      const m1 = await store.usageMutations();
      if (storeCan(store, "costUpdates")) expect(m1).not.toBe(m0);
      await store.purgeUsage();
      expect(await store.usageMutations()).not.toBe(m1);
    });

    it("filters tail and sums by model, user, project and caller together, null meaning no value", async () => {
      await store.insertUsageBatch([
        sampleRecord({ timestamp: at(1), model: "a", username: "u1", callerName: "c1", project: "p1", session: "s1", promptTokens: 1, costNanos: 10n }),
        sampleRecord({ timestamp: at(2), model: "b", username: "u1", callerName: "c2", project: null, session: "s1", promptTokens: 2, costNanos: 20n }),
        sampleRecord({ timestamp: at(3), model: "a", username: "u2", callerName: "c1", project: "p2", session: null, promptTokens: 4, costNanos: 40n }),
        sampleRecord({ timestamp: at(200), model: "a", username: null, callerName: null, project: "p1", session: "s2", promptTokens: 8, costNanos: 80n }),
      ]);
      const range = { start: at(0), end: at(300) };
      const sum = async (filter: Parameters<UsageStore["sumUsage"]>[1]) => (await store.sumUsage(range, filter)).costNanos;
      expect(await sum({ model: "a" })).toBe(130n);
      expect(await sum({ username: "u1" })).toBe(30n);
      expect(await sum({ username: null })).toBe(80n);
      expect(await sum({ project: null })).toBe(20n);
      expect(await sum({ callerName: "c1", model: "a" })).toBe(50n);
      expect(await sum({ model: "a", username: "u1", project: "p1", callerName: "c1", session: "s1" })).toBe(10n);
      expect(await sum({ model: "b", project: "p1" })).toBe(0n);
      expect((await store.tail(10, { model: "a", username: "u2" })).map((r) => r.costNanos)).toEqual([40n]);
      expect((await store.tail(10, { callerName: null })).map((r) => r.costNanos)).toEqual([80n]);
      expect((await groupedSumsOf(store).sumUsageByModel(range, { username: "u1" })).map((m) => [m.model, m.requests])).toEqual([["a", 1], ["b", 1]]);
      // The dimensions the stores roll up (user, project, caller) too: a filter reads past the rollup.
      for (const dimension of ["username", "project", "callerName", "session", "model"] as const) {
        const groups = await groupedSumsOf(store).sumUsageBy(range, dimension, { model: "a", project: "p1" });
        expect(groups.reduce((n, g) => n + g.costNanos, 0n)).toBe(90n);
      }
      expect((await groupedSumsOf(store).sumUsageBy(range, "username", { model: "a" })).map((g) => [g.key, g.costNanos])).toEqual([["u1", 10n], ["u2", 40n], [null, 80n]]);
    });
  });
}
