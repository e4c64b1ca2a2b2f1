import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { Accounting } from "@llm-accounting/core";
import { BACKENDS, freshStore, removeFreshStores, type FreshStore } from "./support/stores.js";

// A process killed with SIGKILL gets no chance to flush or clean up: whatever it was told was
// stored must be there after the crash, exactly once, and the store must open and take writes.
const WORKER = fileURLToPath(new URL("./workers/ack-writer.mjs", import.meta.url));
const MODES = ["single", "batch", "buffer"] as const;

afterAll(removeFreshStores, 180_000);

/** Starts a writer, kills it after `acks` acknowledgements; returns the sessions it acknowledged. */
function writeThenKill(store: FreshStore, mode: (typeof MODES)[number], acks: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WORKER, store.backend, store.location, mode], { stdio: ["ignore", "pipe", "pipe"] });
    const acknowledged: string[] = [];
    let pending = "";
    let stderr = "";
    let killed = false;
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.stdout.on("data", (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) if (line.startsWith("ack ")) acknowledged.push(line.slice(4));
      if (!killed && acknowledged.length >= acks) {
        killed = true;
        child.kill("SIGKILL");
      }
    });
    child.on("error", reject);
    child.on("close", (_code, signal) => {
      if (signal !== "SIGKILL") reject(new Error(`writer ended on its own (${signal ?? _code}): ${stderr.trim()}`));
      else if (stderr.trim() !== "") reject(new Error(`writer reported: ${stderr.trim()}`));
      else resolve(acknowledged);
    });
  });
}

/** Every session stored under the test's model, with how often each appears. */
async function storedSessions(store: FreshStore): Promise<Map<string, number>> {
  const accounting = new Accounting({ store: store.open() });
  try {
    const counts = new Map<string, number>();
    for (const record of await accounting.tail(1_000_000)) {
      if (record.model === "kill9") counts.set(record.session ?? "", (counts.get(record.session ?? "") ?? 0) + 1);
    }
    return counts;
  } finally {
    await accounting.close();
  }
}

describe.each(BACKENDS)("kill -9 on %s", (backend) => {
  it("loses no acknowledged record and stores none twice, whatever the writer was doing", async () => {
    const store = await freshStore(backend);
    const acknowledged: string[] = [];
    // Kill points spread over single writes, batches and the buffered writer; several trials.
    const trials: [(typeof MODES)[number], number][] = [["single", 37], ["batch", 260], ["buffer", 700], ["single", 5], ["buffer", 150]];
    for (const [mode, acks] of trials) acknowledged.push(...(await writeThenKill(store, mode, acks)));
    const stored = await storedSessions(store);
    const missing = acknowledged.filter((s) => !stored.has(s));
    const twice = [...stored].filter(([, n]) => n > 1).map(([s]) => s);
    expect({ missing: missing.slice(0, 5), missingCount: missing.length, twice: twice.slice(0, 5) }).toEqual({ missing: [], missingCount: 0, twice: [] });
    expect(acknowledged.length).toBeGreaterThanOrEqual(37 + 260 + 700 + 5 + 150);
    // The store still opens and takes writes after the crashes (locks, torn tails, WAL recovered).
    const accounting = new Accounting({ store: store.open() });
    try {
      await accounting.trackUsage({ model: "after-crash", cost: 0.5 });
      expect((await accounting.tail(1))[0]?.model).toBe("after-crash");
    } finally {
      await accounting.close();
    }
  });
});
