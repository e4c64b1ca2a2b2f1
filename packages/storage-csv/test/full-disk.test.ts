import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Accounting, StoreUnavailableError, type NewModelPrice } from "@llm-accounting/core";
import { sampleRecord } from "@llm-accounting/testkit";
import { CsvStore } from "../src/index.js";
import { fillUp, mountSmallDisk, subdir, type SmallDisk } from "./small-disk.js";

// Real full file systems (tmpfs), not mocks: a short write is what a full disk really does.
let disk: SmallDisk | undefined;
afterEach(() => {
  disk?.unmount();
  disk = undefined;
});

const FULL = /^cannot write \S+\.csv: the disk is full; nothing was written$/;

/** Every file of the directory and its bytes. */
function snapshot(dir: string): Map<string, string> {
  return new Map(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name), "latin1")]));
}

/** Runs `operation`; a failure must be the one-line disk-full error. Returns whether it was stored. */
async function attempt(operation: () => Promise<unknown>): Promise<boolean> {
  try {
    await operation();
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toMatch(FULL);
    return false;
  }
}

describe("CSV store on a full disk", () => {
  it("acknowledges only what it wrote: every resolved trackUsage is on disk, ids unique, and writes work again once space is freed", async () => {
    disk = mountSmallDisk("2m");
    const freeBallast = disk.ballast(256 * 1024);
    const dir = subdir(disk, "data");
    const accounting = new Accounting({ store: new CsvStore({ dir }) });
    const call = { model: "gpt-4o", promptTokens: 10, completionTokens: 5, cost: 0.001, callerName: "c".repeat(120), session: "s".repeat(120) };
    const acknowledged: number[] = [];
    let refused = 0;
    // Until the disk has refused many times in a row; the cap only guards against a test that never fills.
    for (let i = 0; refused < 50 && i < 20_000; i++) {
      if (await attempt(async () => acknowledged.push((await accounting.trackUsage(call)).id))) refused = 0;
      else refused++;
    }
    expect(refused).toBe(50);
    expect(acknowledged.length).toBeGreaterThan(1000);
    expect(await attempt(() => accounting.trackUsageBatch(Array.from({ length: 100 }, () => call)))).toBe(false);

    const stored = (await new CsvStore({ dir }).tail(1_000_000)).map((r) => r.id).sort((a, b) => a - b);
    expect(stored).toEqual(acknowledged);
    expect(new Set(acknowledged).size).toBe(acknowledged.length);
    expect(readFileSync(join(dir, "accounting_entries.csv"), "utf8").endsWith("\n")).toBe(true);

    freeBallast();
    const next = await accounting.trackUsage(call);
    expect(next.id).toBe(acknowledged.at(-1)! + 1);
    expect((await new CsvStore({ dir }).tail(1_000_000)).length).toBe(acknowledged.length + 1);
    await accounting.close();
  }, 600_000); // thousands of writes until the disk is full: slow on a loaded machine

  it("writes every other file all or nothing: limits, registries, audit, prices, rewrites and batches", async () => {
    disk = mountSmallDisk("1m");
    const dir = subdir(disk, "data");
    const store = new CsvStore({ dir });
    const now = new Date("2025-02-01T00:00:00Z");
    const limit = { scope: "GLOBAL", limitType: "cost", maxValue: 10, intervalUnit: "day", intervalValue: 1, model: null, username: null, callerName: null, projectName: null } as const;
    const audit = { timestamp: now, appName: "a", userName: "u", model: "m", promptText: "p", responseText: "r", remoteCompletionId: null, project: null, logType: "prompt", session: null } as const;
    const price: NewModelPrice = { model: "m", provider: null, effectiveFrom: now, inputNanosPerMTok: 1n, cacheReadNanosPerMTok: null, cacheWriteNanosPerMTok: null, outputNanosPerMTok: 1n, note: null };
    // Something to delete, rename and rewrite, and both version counters already present, so a
    // bump is a rewrite that needs a new file.
    const firstLimit = await store.insertLimit(limit);
    await store.createProject("p0");
    await store.createUser({ userName: "u0", ouName: null, email: null }, now);
    const firstPrice = await store.insertPrice(price);
    const usageId = await store.insertUsage(sampleRecord());
    const reservation = await store.guardedWrite([], () => now, () => ({ queries: [], decide: () => ({ result: "ok", write: { kind: "reservation", reservation: { createdAt: now, expiresAt: new Date(now.getTime() + 3_600_000), model: "m", username: null, callerName: null, project: null, session: null, inputTokens: 1, completionTokens: 1, costNanos: 1n } } }) }));
    const big = "x".repeat(20_000);

    const free = fillUp(disk);
    const operations: [string, () => Promise<unknown>][] = [
      ["insertLimit (fits the page; its version bump does not)", () => store.insertLimit({ ...limit, maxValue: 11 })],
      ["insertLimit", () => store.insertLimit({ ...limit, model: big })],
      ["deleteLimit", () => store.deleteLimit(firstLimit.id)],
      ["createProject (fits the page; its version bump does not)", () => store.createProject("p1")],
      ["createProject", () => store.createProject(big)],
      ["renameProject", () => store.renameProject("p0", "p2")],
      ["deleteProject", () => store.deleteProject("p0")],
      ["createUser", () => store.createUser({ userName: big, ouName: null, email: null }, now)],
      ["setUserEnabled", () => store.setUserEnabled("u0", false, now)],
      ["updateUser", () => store.updateUser("u0", { email: "e@x" })],
      ["insertAuditEntry", () => store.insertAuditEntry({ ...audit, promptText: big })],
      ["insertPrice", () => store.insertPrice({ ...price, model: big })],
      ["deletePrice", () => store.deletePrice(firstPrice.id)],
      ["insertUsageBatch", () => store.insertUsageBatch(Array.from({ length: 100 }, () => sampleRecord({ callerName: "c".repeat(300) })))],
      ["updateCosts", () => store.updateCosts([{ id: usageId, costNanos: 1n, costSource: "price" }])],
      ["purgeUsage", () => store.purgeUsage()],
      ["commitReservation (usage fits the page; the reservation rewrite does not)", () => store.commitReservation(reservation.id!, sampleRecord())],
      ["cancelReservation", () => store.cancelReservation(reservation.id!)],
      ["insertRejection", () => store.insertRejection({ createdAt: now, session: "s", message: big })],
      ["importRows", () => store.importRows({ kind: "audit", rows: [{ ...audit, promptText: big }] }, { key: "import:x", value: 5 })],
    ];
    for (const [name, operation] of operations) {
      const before = snapshot(dir);
      const stored = await attempt(operation);
      expect(stored, `${name} should be refused on a full disk`).toBe(false);
      expect(snapshot(dir), `${name} left the files as they were`).toEqual(before);
    }

    free();
    expect((await store.insertLimit({ ...limit, maxValue: 12 })).id).toBe(firstLimit.id + 1);
    expect(await store.renameProject("p0", "p2")).toBe(true);
    expect(await store.limitsVersion()).toBeGreaterThan(0);
    expect(readdirSync(dir).filter((name) => !name.endsWith(".csv"))).toEqual([]);
  }, 600_000);
});
