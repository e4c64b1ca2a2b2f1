import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it, vi } from "vitest";
import { Accounting, UsageBuffer, ValidationError, withUsageContext, type BufferErrorEvent, type UsageBufferOptions, type UsageInput } from "@llm-accounting/core";
import { SqliteStore } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-buffer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** A facade over a fresh SQLite file, and a buffer over it that never writes on its own timer unless asked. */
function setup(options: UsageBufferOptions = {}, accountingOptions: Partial<ConstructorParameters<typeof Accounting>[0]> = {}) {
  const file = join(dir, `buffer-${++n}.sqlite`);
  const accounting = new Accounting({ store: new SqliteStore({ file }), userName: "default-user", ...accountingOptions });
  const buffer = new UsageBuffer(accounting, { flushIntervalMs: 3_600_000, installExitHooks: false, ...options });
  return { file, accounting, buffer };
}

const call = (i: number, extra: Partial<UsageInput> = {}): UsageInput => ({ model: "gpt-4o", promptTokens: i, completionTokens: 1, cost: 0.001, ...extra });

/** Prompt-token markers of every stored row, oldest first. */
async function storedMarkers(accounting: Accounting): Promise<number[]> {
  return (await accounting.tail(-1)).map((record) => record.promptTokens).reverse();
}

describe("UsageBuffer batching", () => {
  it("writes as soon as batchSize records wait, without a flush or the timer", async () => {
    const { accounting, buffer } = setup({ batchSize: 10 });
    for (let i = 1; i <= 20; i++) buffer.trackUsage(call(i));
    await vi.waitFor(() => expect(buffer.stats().written).toBe(20), { timeout: 45_000 }); // the first batch also starts the writer thread
    expect(buffer.stats()).toMatchObject({ queued: 0, written: 20, batches: 2, failedWrites: 0 });
    for (let i = 21; i <= 25; i++) buffer.trackUsage(call(i));
    expect(buffer.stats().queued).toBe(5);
    await buffer.flush();
    expect(buffer.stats()).toMatchObject({ queued: 0, written: 25, batches: 3 });
    expect(await storedMarkers(accounting)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    await buffer.close();
    await accounting.close();
  });

  it("keeps arrival order while its ring wraps around and grows", async () => {
    const { accounting, buffer } = setup({ batchSize: 1000, maxQueued: 5000 });
    for (let i = 1; i <= 1024; i++) buffer.trackUsage(call(i));
    await vi.waitFor(() => expect(buffer.stats().written).toBe(1000), { timeout: 45_000 }); // the first batch also starts the writer thread
    // The ring's head is now past its start, so growing it must unwrap the 24 + 3000 held.
    for (let i = 1025; i <= 4024; i++) buffer.trackUsage(call(i));
    await buffer.close();
    expect(await storedMarkers(accounting)).toEqual(Array.from({ length: 4024 }, (_, i) => i + 1));
    await accounting.close();
  });

  it("writes a partial batch every flushIntervalMs", async () => {
    const { accounting, buffer } = setup({ flushIntervalMs: 20 });
    for (let i = 1; i <= 3; i++) buffer.trackUsage(call(i));
    await vi.waitFor(() => expect(buffer.stats().written).toBe(3), { timeout: 45_000 }); // the first batch also starts the writer thread
    expect(await storedMarkers(accounting)).toEqual([1, 2, 3]);
    await buffer.close();
    await accounting.close();
  });

  it("close writes what is queued and refuses later calls", async () => {
    const { accounting, buffer } = setup();
    for (let i = 1; i <= 7; i++) buffer.trackUsage(call(i));
    expect(await storedMarkers(accounting)).toEqual([]);
    await buffer.close();
    expect(await storedMarkers(accounting)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(() => buffer.trackUsage(call(8))).toThrow(/closed/);
    await accounting.close();
  });

  it("throws ValidationError at once for bad input and queues nothing", async () => {
    const { accounting, buffer } = setup();
    expect(() => buffer.trackUsage({ model: "" })).toThrow(ValidationError);
    expect(() => buffer.trackUsage({ model: "m", promptTokens: -1 })).toThrow(/promptTokens/);
    expect(() => buffer.trackUsage({ model: "m", cost: Number.NaN })).toThrow(ValidationError);
    expect(() => buffer.trackUsage(null as unknown as UsageInput)).toThrow(ValidationError);
    expect(buffer.stats().queued).toBe(0);
    // The record is copied at enqueue: changing the caller's object afterwards changes nothing.
    const input = call(1);
    buffer.trackUsage(input);
    input.promptTokens = 999;
    await buffer.close();
    expect(await storedMarkers(accounting)).toEqual([1]);
    await accounting.close();
  });
});

describe("UsageBuffer when full", () => {
  it("drop-oldest discards the oldest records, counts them and keeps the newest", async () => {
    const { accounting, buffer } = setup({ maxQueued: 5, batchSize: 5, onFull: "drop-oldest" });
    for (let i = 1; i <= 8; i++) expect(buffer.trackUsage(call(i))).toBeUndefined();
    expect(buffer.stats()).toMatchObject({ queued: 5, dropped: 3 });
    await buffer.close();
    expect(await storedMarkers(accounting)).toEqual([4, 5, 6, 7, 8]);
    await accounting.close();
  });

  it("spill hands the overflow to the callback, as JSON lines that replay into the same rows", async () => {
    const spillFile = join(dir, `spill-${++n}.jsonl`);
    const spilled: UsageInput[][] = [];
    const { accounting, buffer } = setup({
      maxQueued: 5,
      batchSize: 5,
      onFull: "spill",
      spill: (records) => {
        spilled.push(records);
        appendFileSync(spillFile, records.map((record) => `${JSON.stringify(record)}\n`).join(""));
      },
    });
    withUsageContext({ username: "spiller" }, () => {
      for (let i = 1; i <= 8; i++) buffer.trackUsage(call(i));
    });
    await buffer.flush();
    expect(spilled.flat().map((record) => record.promptTokens)).toEqual([6, 7, 8]);
    expect(buffer.stats()).toMatchObject({ written: 5, spilled: 3, dropped: 0 });
    const replay = readFileSync(spillFile, "utf8").trim().split("\n").map((line) => JSON.parse(line) as UsageInput);
    await accounting.trackUsageBatch(replay);
    const rows = (await accounting.tail(-1)).reverse();
    expect(rows.map((row) => row.promptTokens)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(new Set(rows.map((row) => row.username))).toEqual(new Set(["spiller"]));
    await buffer.close();
    await accounting.close();
  });

  it("block returns a promise that resolves once the record is queued, then stores it in order", async () => {
    const { accounting, buffer } = setup({ maxQueued: 5, batchSize: 5 });
    for (let i = 1; i <= 5; i++) expect(buffer.trackUsage(call(i))).toBeUndefined();
    const waiting = buffer.trackUsage(call(6));
    expect(waiting).toBeInstanceOf(Promise);
    expect(buffer.stats()).toMatchObject({ queued: 5, waiting: 1 });
    await waiting;
    await buffer.close();
    expect(await storedMarkers(accounting)).toEqual([1, 2, 3, 4, 5, 6]);
    await accounting.close();
  });

  it("rejects option combinations that cannot work", () => {
    const accounting = new Accounting({ store: new SqliteStore({ file: join(dir, `options-${++n}.sqlite`) }) });
    expect(() => new UsageBuffer(accounting, { onFull: "spill", installExitHooks: false })).toThrow(/spill/);
    expect(() => new UsageBuffer(accounting, { batchSize: 10, maxQueued: 5, installExitHooks: false })).toThrow(/batchSize/);
    expect(() => new UsageBuffer(accounting, { flushIntervalMs: 0, installExitHooks: false })).toThrow(/flushIntervalMs/);
  });
});

describe("UsageBuffer write failures", () => {
  it("retries a batch the database refused (locked by another connection) until it lands", async () => {
    const file = join(dir, `locked-${++n}.sqlite`);
    const accounting = new Accounting({ store: new SqliteStore({ file, busyTimeoutMs: 20 }) });
    await accounting.open();
    const events: BufferErrorEvent[] = [];
    const buffer = new UsageBuffer(accounting, { flushIntervalMs: 3_600_000, installExitHooks: false, retryBaseMs: 5, retryMaxMs: 20, onError: (event) => events.push(event) });
    const locker = new Database(file);
    locker.exec("BEGIN EXCLUSIVE");
    for (let i = 1; i <= 10; i++) buffer.trackUsage(call(i));
    const flushed = buffer.flush();
    await vi.waitFor(() => expect(buffer.stats().failedWrites).toBeGreaterThanOrEqual(2), { timeout: 45_000 });
    expect(buffer.stats()).toMatchObject({ queued: 10, written: 0 });
    expect(events[0]).toMatchObject({ stage: "write", willRetry: true, attempt: 1 });
    expect(events[0]!.records).toHaveLength(10);
    locker.exec("COMMIT");
    locker.close();
    await flushed;
    expect(buffer.stats()).toMatchObject({ queued: 0, written: 10, batches: 1 });
    expect(await storedMarkers(accounting)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await buffer.close();
    await accounting.close();
  });

  it("stores the rest of a batch when the facade refuses one record for good, and reports that one", async () => {
    const events: BufferErrorEvent[] = [];
    const { accounting, buffer } = setup({ onError: (event) => events.push(event) }, { enforceProjectNames: true });
    await accounting.createProject("known");
    for (let i = 1; i <= 5; i++) buffer.trackUsage(call(i, { project: i === 3 ? "unknown" : "known" }));
    await buffer.close();
    expect(await storedMarkers(accounting)).toEqual([1, 2, 4, 5]);
    expect(buffer.stats()).toMatchObject({ written: 4, rejected: 1, queued: 0 });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ stage: "reject", willRetry: false });
    expect(events[0]!.records.map((record) => record.promptTokens)).toEqual([3]);
    await accounting.close();
  });
});

describe("UsageBuffer context and time", () => {
  it("takes names from the usage context of the call, not of whoever triggers the write", async () => {
    const { accounting, buffer } = setup();
    withUsageContext({ username: "alice", project: "p1", session: "s1" }, () => buffer.trackUsage(call(1)));
    withUsageContext({ username: "alice" }, () => buffer.trackUsage(call(2, { username: "explicit" })));
    buffer.trackUsage(call(3));
    await withUsageContext({ username: "mallory", project: "other", callerName: "other", session: "other" }, () => buffer.flush());
    const rows = (await accounting.tail(-1)).reverse();
    expect(rows.map((row) => [row.username, row.project, row.session, row.callerName])).toEqual([
      ["alice", "p1", "s1", null],
      ["explicit", null, null, null],
      ["default-user", null, null, null],
    ]);
    await buffer.close();
    await accounting.close();
  });

  it("stamps a call when it is tracked, not when its batch is written", async () => {
    const { accounting, buffer } = setup({}, { now: () => new Date("2040-01-01T00:00:00Z") });
    const before = Date.now();
    buffer.trackUsage(call(1));
    const after = Date.now();
    await buffer.close();
    const [row] = await accounting.tail(1);
    expect(row!.timestamp.getTime()).toBeGreaterThanOrEqual(before);
    expect(row!.timestamp.getTime()).toBeLessThanOrEqual(after);
    await accounting.close();
  });
});

describe("UsageBuffer exit hooks", () => {
  it("installs one set of exit hooks for all buffers and removes it when the last one closes", async () => {
    const counts = () => ["beforeExit", "SIGINT", "SIGTERM"].map((event) => process.listenerCount(event));
    const before = counts();
    const first = setup({ installExitHooks: true });
    const second = new UsageBuffer(first.accounting, { installExitHooks: true });
    expect(counts()).toEqual(before.map((count) => count + 1));
    await first.buffer.close();
    expect(counts()).toEqual(before.map((count) => count + 1));
    await second.close();
    expect(counts()).toEqual(before);
    await first.accounting.close();
  });

  const worker = join(dirname(fileURLToPath(import.meta.url)), "usage-buffer-worker.ts");

  type WorkerMode = "signal" | "natural" | "locked" | "signal-exit" | "signal-exit-late" | "listener" | "close-then-exit";
  function runWorker(mode: WorkerMode, file: string, onLine: (line: string, child: ReturnType<typeof spawn>) => void, extra: string[] = []) {
    const child = spawn(process.execPath, ["--conditions=development", "--import", "tsx", worker, mode, file, ...extra], { cwd: dirname(dirname(worker)), stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let pending = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout!.on("data", (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) onLine(line, child);
    });
    // A worker that hangs (the failure some of these tests look for) must not outlive the test.
    const reaper = setTimeout(() => child.kill("SIGKILL"), 170_000);
    return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
      child.on("close", (code, signal) => {
        clearTimeout(reaper);
        resolve({ code, signal, stderr });
      }),
    );
  }

  async function countRows(file: string): Promise<number> {
    const accounting = new Accounting({ store: new SqliteStore({ file }) });
    const result = await accounting.select("SELECT COUNT(*) AS n, COUNT(DISTINCT prompt_tokens) AS distinct_n, MAX(prompt_tokens) AS max_n FROM accounting_entries");
    await accounting.close();
    const row = result.rows[0]!;
    expect(Number(row.distinct_n)).toBe(Number(row.n));
    expect(Number(row.max_n ?? 0)).toBe(Number(row.n));
    return Number(row.n);
  }

  it("SIGTERM mid-stream: every call queued before the signal is stored, then the process dies of SIGTERM", async () => {
    const file = join(dir, `worker-${++n}.sqlite`);
    let lastQueued = 0;
    let sent = false;
    const exit = await runWorker("signal", file, (line, child) => {
      const queued = /^queued (\d+)$/.exec(line);
      if (queued) lastQueued = Number(queued[1]);
      if (line === "ready" && !sent) {
        sent = true;
        child.kill("SIGTERM");
      }
    });
    expect(exit.stderr).toBe("");
    expect(sent).toBe(true);
    expect(exit).toMatchObject({ code: null, signal: "SIGTERM" });
    expect(lastQueued).toBeGreaterThanOrEqual(5_000);
    expect(await countRows(file)).toBe(lastQueued);
  }, 180_000);

  it("when the exit flush cannot write, the records given up are reported and the signal still ends the process", async () => {
    const file = join(dir, `worker-${++n}.sqlite`);
    const lines: string[] = [];
    const exit = await runWorker("locked", file, (line, child) => {
      lines.push(line);
      if (line === "ready") child.kill("SIGTERM");
    });
    expect(exit).toMatchObject({ code: null, signal: "SIGTERM" });
    // A batch whose write was still waiting for the lock is reported apart, as maybe stored.
    const abandoned = lines.map((line) => /^abandoned (\d+)/.exec(line)).filter((m) => m !== null).reduce((sum, m) => sum + Number(m[1]), 0);
    expect(abandoned).toBe(1500);
    expect(await countRows(file)).toBe(0);
  }, 180_000);

  /** The directory of a package as Node resolves it from `from` (a directory), following pnpm's symlinks. */
  function packageDir(from: string, name: string): string {
    for (let dir = from; ; dir = dirname(dir)) {
      const candidate = join(dir, "node_modules", name);
      if (existsSync(join(candidate, "package.json"))) return realpathSync(candidate);
      if (dirname(dir) === dir) throw new Error(`${name} not found from ${from}`);
    }
  }
  // The copies of signal-exit really installed: version 3 under proper-lockfile (the CSV store's
  // lock library) and version 4 under foreground-child, both reached through prisma's dev server.
  const prismaDev = packageDir(packageDir(dirname(dirname(worker)), "prisma"), "@prisma/dev");
  const signalExit = {
    v3: packageDir(packageDir(prismaDev, "proper-lockfile"), "signal-exit"),
    v4: packageDir(packageDir(prismaDev, "foreground-child"), "signal-exit"),
  };

  it.each([
    ["v3", "signal-exit"],
    ["v4", "signal-exit"],
    ["v3", "signal-exit-late"],
    ["v4", "signal-exit-late"],
  ] as const)("with signal-exit %s loaded (%s), SIGTERM flushes, runs signal-exit's handlers and ends the process by SIGTERM", async (version, mode) => {
    const signalExitDir = signalExit[version];
    expect(JSON.parse(readFileSync(join(signalExitDir, "package.json"), "utf8")).version).toMatch(version === "v3" ? /^3\./ : /^4\./);
    const file = join(dir, `worker-${++n}.sqlite`);
    const lines: string[] = [];
    const exit = await runWorker(
      mode,
      file,
      (line, child) => {
        lines.push(line);
        if (line === "ready") child.kill("SIGTERM");
      },
      [signalExitDir],
    );
    expect(exit).toMatchObject({ code: null, signal: "SIGTERM", stderr: "" });
    expect(lines).toContain("signal-exit handler SIGTERM");
    expect(await countRows(file)).toBe(3_000);
  }, 180_000);

  it("with the app's own SIGTERM listener that does not exit, the buffer flushes and the process keeps running", async () => {
    const file = join(dir, `worker-${++n}.sqlite`);
    const lines: string[] = [];
    const exit = await runWorker("listener", file, (line, child) => {
      lines.push(line);
      if (line === "ready") child.kill("SIGTERM");
      // Still running well after the flush: only then is it stopped, by the test.
      if (line === "alive" && lines.filter((l) => l === "alive").length === 3) child.kill("SIGKILL");
    });
    expect(lines.slice(lines.indexOf("ready"))).toEqual(["ready", "app handler", "drained", "alive", "alive", "alive"]);
    expect(exit).toMatchObject({ code: null, signal: "SIGKILL", stderr: "" });
    expect(await countRows(file)).toBe(3_000);
  }, 180_000);

  it("an app whose SIGTERM listener awaits buffer.close() and exits stores everything and exits with its own code", async () => {
    const file = join(dir, `worker-${++n}.sqlite`);
    const lines: string[] = [];
    const exit = await runWorker("close-then-exit", file, (line, child) => {
      lines.push(line);
      if (line === "ready") child.kill("SIGTERM");
    });
    expect(exit).toMatchObject({ code: 0, signal: null, stderr: "" });
    expect(lines).toContain("closed");
    expect(await countRows(file)).toBe(3_000);
  }, 180_000);

  it("a process that just returns stores everything on beforeExit, and the timer does not keep it alive", async () => {
    const file = join(dir, `worker-${++n}.sqlite`);
    const exit = await runWorker("natural", file, () => undefined);
    expect(exit).toMatchObject({ code: 0, signal: null, stderr: "" });
    expect(await countRows(file)).toBe(4_100);
  }, 180_000);
});
