import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { QueryRejectedError } from "@llm-accounting/core";
import { sampleRecord } from "@llm-accounting/testkit";
import { SqliteStore } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-sqlite-select-"));
let store: SqliteStore;
beforeAll(async () => {
  store = new SqliteStore({ file: join(dir, "select.sqlite") });
  await store.insertUsage(sampleRecord({ model: "m" }));
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

it("refuses a row too large to read in one line, and keeps working", async () => {
  for (const sql of ["SELECT zeroblob(70000000) AS v", "SELECT printf('%.*c', 70000000, 'x') AS v"]) {
    const error = await store.readOnlyQuery(sql).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(QueryRejectedError);
    expect(error!.message).toMatch(/^query failed: a row is too large to read \(\d+ bytes; the most is 64 MB\)/);
    expect(error!.message).not.toContain("\n");
  }
  expect((await store.readOnlyQuery("SELECT model FROM accounting_entries")).rows).toEqual([{ model: "m" }]);
});

it("returns integers beyond 2^53 exactly, as bigint", async () => {
  const { rows } = await store.readOnlyQuery("SELECT 9007199254740993 AS big, 42 AS small, x'0102' AS bytes");
  expect(rows.map((r) => [r.big, r.small, Array.from(r.bytes as Uint8Array)])).toEqual([[9007199254740993n, 42, [1, 2]]]);
  expect(rows[0]!.bytes).toBeInstanceOf(Uint8Array);
});

/** Pids of the live children of `pid` (from /proc: Linux). */
function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the command name (which may hold spaces): state, ppid, ...
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(ppid) === pid && state !== "Z") found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** User + system CPU time of a process, in clock ticks (1/100 s on Linux). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));

it("does not leave a runaway query process behind when the caller is killed", async () => {
  const script = fileURLToPath(new URL("./fixtures/endless-select.mjs", import.meta.url));
  const caller = spawn(process.execPath, [script, join(dir, "select.sqlite")], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve) => caller.stdout.once("data", () => resolve()));
  let query: number[] = [];
  for (let i = 0; i < 600 && query.length === 0; i++) {
    query = childrenOf(caller.pid!);
    if (query.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(query).toHaveLength(1);
  // Kill the caller only once the query runs: a full second of CPU is more than starting takes.
  for (let i = 0; i < 600 && cpuTicks(query[0]!) < 100; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(cpuTicks(query[0]!)).toBeGreaterThanOrEqual(100);
  caller.kill("SIGKILL");
  // Poll with a generous limit: the watchdog notices within a second on an idle machine.
  for (let i = 0; i < 600 && alive(query[0]!); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(alive(query[0]!)).toBe(false);
}, 180_000);
