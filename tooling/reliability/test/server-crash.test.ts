import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Accounting } from "@llm-accounting/core";
import { PostgresqlStore } from "@llm-accounting/storage-prisma";
import { privatePostgres, type PrivatePostgres } from "./support/private-postgres.js";

// A guarded write on PostgreSQL commits asynchronously (its limits' locks go before the disk
// flush) and answers only after a synchronous commit behind it. The server crashing (shared
// memory and unwritten WAL buffers lost) must not lose a write the caller was told is stored.
const WORKER = fileURLToPath(new URL("./workers/guarded-writer.mjs", import.meta.url));

describe("PostgreSQL server crash under guarded writes", () => {
  let server: PrivatePostgres;
  beforeAll(async () => {
    server = privatePostgres(55_000 + (process.pid % 5_000));
    const accounting = new Accounting({ store: new PostgresqlStore({ connectionString: server.url }) });
    // A limit, so every write takes the guarded path (locks, sums, asynchronous commit).
    await accounting.setUsageLimit({ scope: "GLOBAL", limitType: "requests", maxValue: 1_000_000, intervalUnit: "day", intervalValue: 1, model: null, username: null, callerName: null, projectName: null });
    await accounting.close();
  });
  afterAll(() => server?.dispose());

  it("keeps every acknowledged guarded write, once, across three crashes", async () => {
    const acknowledged: string[] = [];
    for (let trial = 0; trial < 3; trial++) {
      const { acks, child } = await writeUntil(server.url, 150 + 100 * trial);
      // Crash while the writer goes on writing: some writes are in flight, some just answered.
      server.crash();
      await waitForLine(child, "down");
      child.kill("SIGKILL");
      acknowledged.push(...acks());
      server.start();
    }
    const accounting = new Accounting({ store: new PostgresqlStore({ connectionString: server.url }) });
    try {
      const stored = new Map<string, number>();
      for (const record of await accounting.tail(1_000_000)) if (record.model === "crash") stored.set(record.session!, (stored.get(record.session!) ?? 0) + 1);
      expect(acknowledged.length).toBeGreaterThanOrEqual(750);
      const lost = acknowledged.filter((session) => stored.get(session) !== 1);
      expect(lost).toEqual([]);
    } finally {
      await accounting.close();
    }
  });
});

/** Starts a writer and resolves once it has acknowledged `count` writes; `acks()` reads the acknowledgements so far. */
function writeUntil(url: string, count: number): Promise<{ acks: () => string[]; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WORKER, url], { stdio: ["ignore", "pipe", "pipe"] });
    const acknowledged: string[] = [];
    let pending = "";
    let done = false;
    child.stdout!.on("data", (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) if (line.startsWith("ack ")) acknowledged.push(line.slice(4));
      if (!done && acknowledged.length >= count) {
        done = true;
        resolve({ acks: () => [...acknowledged], child });
      }
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (!done) reject(new Error(`writer ended (${code}) after ${acknowledged.length} writes`));
    });
  });
}

/** Resolves when the child prints `line` (it keeps collecting its acknowledgements meanwhile). */
function waitForLine(child: ChildProcess, line: string): Promise<void> {
  return new Promise((resolve) => {
    const listen = (chunk: Buffer) => {
      if (chunk.toString().split("\n").includes(line)) {
        child.stdout!.off("data", listen);
        resolve();
      }
    };
    child.stdout!.on("data", listen);
  });
}
