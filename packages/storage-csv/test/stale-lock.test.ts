import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, lutimesSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, symlinkSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { sampleRecord } from "@llm-accounting/testkit";
import { CsvStore } from "../src/index.js";
import { currentOwner, formatOwner } from "../src/lock-owner.js";

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
});
