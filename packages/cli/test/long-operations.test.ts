import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { NewUsageRecord, UsageStore } from "@llm-accounting/core";
import { PostgresqlStore, SqliteStore } from "@llm-accounting/storage-prisma";
import { runCli, type CliIo } from "../src/index.js";
import { cli, createTestDatabase } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-cli-longops-"));
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const drop of drops) await drop();
  rmSync(dir, { recursive: true, force: true });
});

const SEEDED = 50_000;

/** The store under test: CLI flags, the child's arguments, a store handle for checks, and the dialect's hour/day keys. */
interface Backend {
  readonly args: string[];
  readonly child: string[];
  readonly store: UsageStore;
  readonly hour: string;
  readonly day: string;
}

const backends: [string, () => Promise<Backend>][] = [
  [
    "sqlite",
    async () => {
      const file = join(dir, "longops.sqlite");
      return { args: ["--db-file", file], child: ["sqlite", file], store: new SqliteStore({ file, writerThread: false }), hour: "substr(timestamp, 1, 13) || ':00:00.000+00:00'", day: "substr(timestamp, 1, 10) || 'T00:00:00.000+00:00'" };
    },
  ],
  [
    "postgresql",
    async () => {
      const db = await createTestDatabase();
      drops.push(db.drop);
      const utc = (unit: string) => `date_trunc('${unit}', timestamp AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`;
      return { args: ["--db-backend", "postgresql", "--postgresql-connection-string", db.url], child: ["postgresql", db.url], store: new PostgresqlStore({ connectionString: db.url }), hour: utc("hour"), day: utc("day") };
    },
  ],
];

function seedRecord(i: number): NewUsageRecord {
  return {
    timestamp: new Date(Date.UTC(2026, 10, 1) + i * 13_000),
    model: "m-seed",
    promptTokens: 100 + (i % 50),
    completionTokens: 20 + (i % 7),
    totalTokens: 120 + (i % 50) + (i % 7),
    localPromptTokens: 0,
    localCompletionTokens: 0,
    localTotalTokens: 0,
    cachedTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    costNanos: 1n,
    costSource: "price",
    provider: null,
    executionTime: 0.25,
    callerName: `caller-${i % 3}`,
    username: i % 5 === 0 ? null : `user-${i % 4}`,
    project: i % 2 === 0 ? "alpha" : null,
    session: null,
    usageEstimated: false,
  };
}

/** The other application: a child process tracking in a loop; what it acknowledged, and when. */
class Tracker {
  readonly acks: { id: number; at: number }[] = [];
  readonly errors: string[] = [];
  readonly #child: ChildProcess;
  readonly #exited: Promise<number | null>;

  constructor(args: string[]) {
    this.#child = spawn(process.execPath, [join(import.meta.dirname, "tracker-child.mjs"), ...args], { stdio: ["pipe", "pipe", "inherit"] });
    this.#exited = new Promise((resolve) => this.#child.on("exit", resolve));
    let buffered = "";
    this.#child.stdout!.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop()!;
      for (const line of lines) {
        const [kind, id, at] = line.split(" ");
        if (kind === "ok") this.acks.push({ id: Number(id), at: Number(at) });
        else this.errors.push(line);
      }
    });
  }

  /** Resolves once `count` calls in all have been acknowledged (or fails on the child's first error). */
  async waitForAcks(count: number): Promise<void> {
    while (this.acks.length < count && this.errors.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  /** Ends the loop and waits for the process to exit; returns its exit code. */
  async stop(): Promise<number | null> {
    this.#child.stdin!.end();
    return this.#exited;
  }
}

/** Runs the CLI with a terminal's stderr, noting when each progress line of `step` was drawn. */
async function runWatched(argv: string[], step: string): Promise<{ code: number; stdout: string; stderr: string; started: number; firstChunk: number; lastChunk: number }> {
  let stdout = "";
  let stderr = "";
  const drawn: { done: number; total: number; at: number }[] = [];
  const io: CliIo = {
    stdout: { write: (t: string) => (stdout += t), isTTY: false },
    stderr: {
      write: (t: string) => {
        stderr += t;
        const match = new RegExp(`^\\r${step} +\\[[#-]+\\] +\\d+% ([\\d,]+)/([\\d,]+)`).exec(t);
        if (match) drawn.push({ done: Number(match[1]!.replaceAll(",", "")), total: Number(match[2]!.replaceAll(",", "")), at: Date.now() });
      },
      isTTY: true,
    },
    readLine: async () => null,
    env: {},
    now: () => new Date(),
  };
  const started = Date.now();
  const code = await runCli(argv, io);
  const chunks = drawn.filter((d) => d.done > 0);
  return { code, stdout, stderr, started, firstChunk: chunks[0]?.at ?? Number.NaN, lastChunk: chunks.at(-1)?.at ?? Number.NaN };
}

const count = async (store: UsageStore, sql: string) => Number((await store.readOnlyQuery(sql)).rows[0]!.n);

/** Rollup rows that differ from a GROUP BY over accounting_entries (0 when they are in step). */
async function rollupMismatches(store: UsageStore, backend: Backend): Promise<number> {
  const hourly = `SELECT ${backend.hour} AS hour, model, COUNT(*) AS requests, CAST(SUM(prompt_tokens) AS BIGINT) AS prompt, CAST(SUM(cost_nanos) AS BIGINT) AS cost FROM accounting_entries GROUP BY 1, 2`;
  const stored = "SELECT hour, model, requests, prompt_tokens, cost_nanos FROM usage_hourly";
  const daily = `SELECT ${backend.day} AS day, COALESCE(username, '') AS u, username IS NULL AS un, COALESCE(project, '') AS p, project IS NULL AS pn, COALESCE(caller_name, '') AS c, caller_name IS NULL AS cn, COUNT(*) AS requests, CAST(SUM(cost_nanos) AS BIGINT) AS cost FROM accounting_entries GROUP BY 1, 2, 3, 4, 5, 6, 7`;
  const storedDaily = "SELECT day, username, username_null, project, project_null, caller_name, caller_name_null, requests, cost_nanos FROM usage_daily_dims";
  // Rows of one side missing from the other (SQLite takes no parenthesised compound selects).
  const missing = (a: string, b: string) => count(store, `SELECT COUNT(*) AS n FROM (SELECT * FROM (${a}) AS a EXCEPT SELECT * FROM (${b}) AS b) AS d`);
  const counts = await Promise.all([missing(hourly, stored), missing(stored, hourly), missing(daily, storedDaily), missing(storedDaily, daily)]);
  return counts.reduce((sum, n) => sum + n, 0);
}

describe.each(backends)("long operations on %s", (_name, make) => {
  it("reprice --apply and purge let another process keep tracking, with exact costs and rollups", async () => {
    const backend = await make();
    const { store } = backend;
    for (let i = 0; i < SEEDED; i += 10_000) await store.insertUsageBatch(Array.from({ length: 10_000 }, (_, j) => seedRecord(i + j)));
    expect((await cli([...backend.args, "prices", "set", "--model", "m-seed", "--input", "1", "--output", "2"])).code).toBe(0);
    const tracker = new Tracker(backend.child);
    let purge: Awaited<ReturnType<typeof runWatched>> | undefined;
    try {
      await tracker.waitForAcks(3);

      const reprice = await runWatched([...backend.args, "reprice", "--start", "2026-11-01", "--end", "2026-11-30", "--apply", "--limit", "0"], "updating");
      expect(reprice.code).toBe(0);
      expect(reprice.stdout).toMatch(new RegExp(`^${SEEDED} records examined, ${SEEDED} updated`));
      // Progress on the terminal: both steps, each ending at 100%.
      expect(reprice.stderr).toContain(`100% ${SEEDED.toLocaleString("en-US")}/${SEEDED.toLocaleString("en-US")}\n`);
      expect(reprice.stderr).toMatch(/\rscanning +\[/);
      await tracker.waitForAcks(tracker.acks.length + 3);
      expect(tracker.errors).toEqual([]);
      // The other process's calls went through between the first and the last chunk, not after the whole run.
      expect(tracker.acks.filter((a) => a.at > reprice.firstChunk && a.at < reprice.lastChunk).length).toBeGreaterThan(0);
      expect(await count(store, "SELECT COUNT(*) AS n FROM accounting_entries WHERE model = 'm-seed' AND (cost_nanos <> prompt_tokens * 1000 + completion_tokens * 2000 OR cost_source <> 'price')")).toBe(0);
      expect(await rollupMismatches(store, backend)).toBe(0);

      const purged = await runWatched([...backend.args, "purge", "-y"], "deleting");
      purge = purged;
      expect(purged.code).toBe(0);
      expect(purged.stderr).toMatch(/\rdeleting +\[#+\] 100% ([\d,]+)\/\1\n/);
      await tracker.waitForAcks(tracker.acks.length + 3);
      expect(tracker.errors).toEqual([]);
      expect(tracker.acks.filter((a) => a.at > purged.firstChunk && a.at < purged.lastChunk).length).toBeGreaterThan(0);
    } finally {
      expect(await tracker.stop()).toBe(0);
    }
    // Everything stored before the purge is gone; every call acknowledged after it started is kept.
    const kept = new Set((await store.readOnlyQuery("SELECT id FROM accounting_entries")).rows.map((r) => Number(r.id)));
    expect(await count(store, "SELECT COUNT(*) AS n FROM accounting_entries WHERE model = 'm-seed'")).toBe(0);
    const before = tracker.acks.filter((a) => a.at < purge!.started);
    const after = tracker.acks.filter((a) => a.at > purge!.lastChunk);
    expect(before.length).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
    expect(before.filter((a) => kept.has(a.id))).toEqual([]);
    expect(after.filter((a) => !kept.has(a.id))).toEqual([]);
    expect(await rollupMismatches(store, backend)).toBe(0);
    await store.close();
  }, 600_000); // seeds 50,000 rows and runs reprice and purge beside a tracking process: slow on a loaded machine
});

describe("long operations with stderr piped", () => {
  it("print their result and no progress", async () => {
    const file = join(dir, "piped.sqlite");
    const store = new SqliteStore({ file, writerThread: false });
    await store.insertUsageBatch(Array.from({ length: 3_000 }, (_, i) => seedRecord(i)));
    await store.close();
    const db = ["--db-file", file];
    expect((await cli([...db, "prices", "set", "--model", "m-seed", "--input", "1", "--output", "2"])).code).toBe(0);
    const reprice = await cli([...db, "reprice", "--start", "2026-11-01", "--end", "2026-11-30", "--apply", "--limit", "0"]);
    expect(reprice).toMatchObject({ code: 0, stderr: "" });
    expect(reprice.stdout).toMatch(/^3000 records examined, 3000 updated/);
    const purge = await cli([...db, "purge", "-y"]);
    expect(purge).toEqual({ code: 0, stdout: "All usage entries have been deleted (3000 entries)\n", stderr: "" });
  });
});
