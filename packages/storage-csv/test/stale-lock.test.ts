import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, lstatSync, lutimesSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, unlinkSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { sampleRecord } from "@llm-accounting/testkit";
import { CsvStore } from "../src/index.js";
import { breakClaimPath, DirLock } from "../src/dir-lock.js";
import { currentOwner, formatOwner, parseOwner } from "../src/lock-owner.js";

const root = mkdtempSync(join(tmpdir(), "llm-acct-stale-lock-"));
const children: ChildProcessWithoutNullStreams[] = [];
afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
  rmSync(root, { recursive: true, force: true });
});
let n = 0;
const freshDir = () => {
  const dir = join(root, `dir-${++n}`);
  mkdirSync(dir);
  return dir;
};

// Far beyond any wait these tests allow: a lock taken over here was taken because its owner is dead.
const NEVER_STALE_BY_AGE = 24 * 3_600_000;

/** Polls `condition` every 20 ms until it holds; fails after a generous `limitMs`. */
async function until(condition: () => boolean, what: string, limitMs = 30_000): Promise<void> {
  for (const end = Date.now() + limitMs; !condition(); ) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A child process holding the directory's lock (see lock-holder.mjs), once it says so. */
async function lockHolder(dir: string): Promise<ChildProcessWithoutNullStreams> {
  const script = fileURLToPath(new URL("lock-holder.mjs", import.meta.url));
  const child = spawn(process.execPath, [script, dir]);
  children.push(child);
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  await until(() => out.includes("locked") || child.exitCode !== null, "the child to take the lock");
  expect(out).toContain("locked");
  expect(readlinkSync(join(dir, ".lock"))).toMatch(new RegExp(`^${child.pid}\\.`));
  return child;
}

/** Leaves the directory's lock stale: a child takes it and is killed with SIGKILL. Returns the lock's text. */
async function leaveStaleLock(dir: string): Promise<string> {
  const holder = await lockHolder(dir);
  holder.kill("SIGKILL");
  await new Promise((resolve) => holder.once("exit", resolve));
  return readlinkSync(join(dir, ".lock"));
}

/** The lock's files left in `dir` (the lock itself and breakers' claims). */
const lockFiles = (dir: string) => readdirSync(dir).filter((name) => name.startsWith(".lock"));

/** Runs `node lock-contender.mjs` in `count` children at once; resolves with each one's exit code and output. */
async function contend(dir: string, log: string, count: number, times: number): Promise<{ code: number | null; out: string }[]> {
  const script = fileURLToPath(new URL("lock-contender.mjs", import.meta.url));
  const runs = Array.from({ length: count }, () => {
    const child = spawn(process.execPath, [script, dir, log, String(times)]);
    children.push(child);
    const run = { child, out: "", code: null as number | null, exited: false };
    child.stdout.on("data", (d) => (run.out += d));
    child.stderr.on("data", (d) => (run.out += d));
    child.once("exit", (code) => Object.assign(run, { code, exited: true }));
    return run;
  });
  // All loaded first, then all let go together, so they find the stale lock at the same moment.
  await until(() => runs.every((run) => run.out.includes("ready") || run.exited), "the contenders to load", 120_000);
  for (const run of runs) run.child.stdin.write("go\n");
  await until(() => runs.every((run) => run.exited), "the contenders to finish", 120_000);
  return runs.map(({ code, out }) => ({ code, out }));
}

describe("the CSV directory lock", () => {
  it("takes over at once the lock of a process killed with SIGKILL, for reads and writes", async () => {
    const dir = freshDir();
    await new CsvStore({ dir }).insertUsage(sampleRecord());
    for (const use of ["read", "write"] as const) {
      const holder = await lockHolder(dir);
      holder.kill("SIGKILL");
      await new Promise((resolve) => holder.once("exit", resolve));
      const waits: string[] = [];
      const store = new CsvStore({ dir, lockStaleMs: NEVER_STALE_BY_AGE, onLockWait: (message) => waits.push(message) });
      if (use === "read") expect(await store.tail(10)).toHaveLength(1);
      else expect(await store.insertUsage(sampleRecord())).toBe(2);
      expect(waits).toEqual([]);
      expect(existsSync(join(dir, ".lock"))).toBe(false);
    }
  });

  it("respects a live owner's lock: a writer waits, says for what, and writes once it is released", async () => {
    const dir = freshDir();
    await new CsvStore({ dir }).insertUsage(sampleRecord());
    const holder = await lockHolder(dir);
    const waits: string[] = [];
    const store = new CsvStore({ dir, lockStaleMs: NEVER_STALE_BY_AGE, onLockWait: (message) => waits.push(message) });
    let settled = false;
    const write = store.insertUsage(sampleRecord()).finally(() => (settled = true));
    await until(() => waits.length > 0, "the wait notice");
    expect(waits).toEqual([expect.stringMatching(new RegExp(`^waiting for the CSV store lock at ${dir} held by pid ${holder.pid} on host ${hostname()} since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z$`))]);
    expect(settled).toBe(false);
    holder.stdin.write("release\n");
    expect(await write).toBe(2);
    expect(waits).toHaveLength(1);
  });

  it("takes over a lock whose pid now belongs to another process (pid reused)", async () => {
    const dir = freshDir();
    // This very process is alive, but it did not start at the time the lock records.
    const me = currentOwner(Date.now());
    symlinkSync(formatOwner({ ...me, started: me.started === "-" ? "-" : `${me.started}1` }), join(dir, ".lock"));
    if (me.started === "-") return; // No /proc: a reused pid cannot be told apart here.
    expect(await new CsvStore({ dir, lockStaleMs: NEVER_STALE_BY_AGE }).insertUsage(sampleRecord())).toBe(1);
  });

  it("judges a lock from another host by its age only", async () => {
    const dir = freshDir();
    const lock = join(dir, ".lock");
    symlinkSync(formatOwner({ ...currentOwner(Date.now()), host: "elsewhere.example", pid: 999_999 }), lock);
    const waits: string[] = [];
    const store = new CsvStore({ dir, lockStaleMs: 60_000, onLockWait: (message) => waits.push(message) });
    let settled = false;
    const write = store.insertUsage(sampleRecord()).finally(() => (settled = true));
    await until(() => waits.length > 0, "the wait notice");
    expect(waits[0]).toMatch(/held by pid 999999 on host elsewhere\.example since/);
    expect(settled).toBe(false);
    // Its owner stopped refreshing it two minutes ago.
    const old = new Date(Date.now() - 120_000);
    lutimesSync(lock, old, old);
    expect(await write).toBe(1);
  });

  it("never lets several processes that find the same stale lock hold it at once, round after round", async () => {
    const dir = freshDir();
    const log = join(dir, "holders.log");
    for (let round = 0; round < 5; round++) {
      await leaveStaleLock(dir);
      const runs = await contend(dir, log, 6, 3);
      for (const run of runs) {
        expect(run.out).not.toMatch(/lost the lock|error/);
        expect(run.code).toBe(0);
      }
      expect(lockFiles(dir)).toEqual([]);
    }
    // Every "enter" is followed by the same process's "exit" before anyone else enters, and the
    // lock it held then was the very symlink, recording that process, it found on entering.
    const lines = readFileSync(log, "utf8").trim().split("\n");
    expect(lines).toHaveLength(5 * 6 * 3 * 2);
    for (let i = 0; i < lines.length; i += 2) {
      const [, pid] = /^enter (\d+) \d+ (\d+)\./.exec(lines[i]!) ?? [];
      expect(lines[i]).toMatch(new RegExp(`^enter ${pid} \\d+ ${pid}\\.`));
      expect(lines[i + 1]).toBe(lines[i]!.replace("enter", "exit"));
    }
  });

  it("leaves alone the live lock another waiter took after both judged the old one stale", async () => {
    const dir = freshDir();
    const lock = join(dir, ".lock");
    const stale = await leaveStaleLock(dir);
    // Another waiter (of this live process) broke the stale lock and took it while this one was
    // between judging the old lock stale and breaking it.
    const other = formatOwner(currentOwner(Date.now()));
    let otherLock: number | undefined;
    const waits: string[] = [];
    const waiter = new DirLock(dir, {
      staleMs: NEVER_STALE_BY_AGE,
      onWait: (message) => waits.push(message),
      beforeBreak: (path) => {
        if (otherLock !== undefined || path !== lock) return;
        expect(readlinkSync(lock)).toBe(stale);
        unlinkSync(lock);
        symlinkSync(other, lock);
        otherLock = lstatSync(lock).ino;
      },
    });
    let settled = false;
    const run = waiter.run(() => "done").finally(() => (settled = true));
    await until(() => waits.length > 0, "the wait notice");
    expect(waits[0]).toContain(`held by pid ${process.pid} `);
    // Not moved aside and put back, nor taken: the very same symlink, and the waiter still waits.
    expect(lstatSync(lock).ino).toBe(otherLock);
    expect(readlinkSync(lock)).toBe(other);
    expect(settled).toBe(false);
    expect(lockFiles(dir)).toEqual([".lock"]);
    unlinkSync(lock);
    expect(await run).toBe("done");
    expect(lockFiles(dir)).toEqual([]);
  });

  it("breaks the claim of a breaker killed while breaking, then the stale lock, at once", async () => {
    const dir = freshDir();
    await new CsvStore({ dir }).insertUsage(sampleRecord());
    const stale = await leaveStaleLock(dir);
    // A breaker killed with SIGKILL holding its claim: another dead process's claim on that lock.
    const breaker = parseOwner(await leaveStaleLock(freshDir()))!;
    symlinkSync(formatOwner(breaker), breakClaimPath(join(dir, ".lock"), join(dir, ".lock"), stale));
    expect(lockFiles(dir)).toHaveLength(2);
    const waits: string[] = [];
    const store = new CsvStore({ dir, lockStaleMs: NEVER_STALE_BY_AGE, onLockWait: (message) => waits.push(message) });
    expect(await store.insertUsage(sampleRecord())).toBe(2);
    expect(waits).toEqual([]);
    expect(lockFiles(dir)).toEqual([]);
  });
});
