import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { renderTable } from "../src/format/table.js";
import { cli, freshStores } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-cli-select-"));
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const drop of drops) await drop();
}, 180_000);

const series = (count: number, extra = "") => `WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < ${count}) SELECT n${extra} FROM r`;

it("renders a table of many rows without spreading them into one call", () => {
  const rows = Array.from({ length: 300_000 }, (_, i) => [String(i)]);
  const lines = renderTable([{ header: "n" }], rows);
  expect(lines).toHaveLength(300_000 + 4);
  expect(lines.at(-2)).toBe("│ 299999 │");
});

for (const [name, fresh] of freshStores(dir, drops)) {
  describe(`select on ${name}`, () => {
    it("streams every row as NDJSON, JSON and CSV, and --limit cuts them", async () => {
      const db = await fresh();
      const query = series(2500, ", 'v' || n AS label");
      const ndjson = await cli([...db, "select", "--query", query, "--format", "ndjson"]);
      expect(ndjson.code).toBe(0);
      const lines = ndjson.stdout.trimEnd().split("\n").map((line) => JSON.parse(line) as { n: unknown; label: string });
      expect(lines).toHaveLength(2500);
      expect(lines.map((l) => Number(l.n))).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1));
      expect(lines[2499]!.label).toBe("v2500");
      const json = await cli([...db, "select", "--query", query, "--format", "json"]);
      expect((JSON.parse(json.stdout) as unknown[]).length).toBe(2500);
      expect(json.stdout.startsWith("[\n  {\n    \"n\": ")).toBe(true);
      const empty = await cli([...db, "select", "--query", "SELECT 1 AS x WHERE 1 = 0", "--format", "json"]);
      expect(empty.stdout).toBe("[]\n");
      const csv = await cli([...db, "select", "--query", query, "--format", "csv", "--limit", "3"]);
      expect(csv.stdout).toBe("n,label\n1,v1\n2,v2\n3,v3\n");
    });

    it("shows a table of at most 1000 rows by default and says how to get the rest", async () => {
      const db = await fresh();
      const table = await cli([...db, "select", "--query", series(1500)]);
      expect(table.code).toBe(0);
      expect(table.stdout).toContain("│ 1000 │");
      expect(table.stdout).not.toContain("│ 1001 │");
      expect(table.stdout.trimEnd().split("\n").at(-1)).toBe("Only the first 1000 rows are shown; more were cut. Get them all with --format csv, json or ndjson (no limit), or raise --limit.");
      const all = await cli([...db, "select", "--query", series(1500), "--limit", "1500"]);
      expect(all.stdout).toContain("│ 1500 │");
      expect(all.stdout).not.toContain("more were cut");
    });

    it("stops a runaway query at --timeout with one line and exit 1", async () => {
      const db = await fresh();
      const run = await cli([...db, "select", "--timeout", "0.5", "--query", "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r"]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^Error: query failed: .*statement timeout.*\n$/);
    });

    it("refuses a bad --limit or --timeout naming the flag", async () => {
      const db = await fresh();
      const limit = await cli([...db, "select", "--limit", "0"]);
      expect(limit.code).toBe(2);
      expect(limit.stderr).toContain("--limit must be 1 or more");
      const timeout = await cli([...db, "select", "--timeout", "soon"]);
      expect(timeout.code).toBe(2);
      expect(timeout.stderr).toContain("--timeout must be a non-negative number");
      // Longer than Node's timers keep: it would have fired at once and stopped every query.
      const forever = await cli([...db, "select", "--timeout", "2200000", "--query", "SELECT 1"]);
      expect(forever.code).toBe(2);
      expect(forever.stderr).toContain("--timeout must be at most 2147483 seconds");
    });
  });
}

// The built CLI, as users run it, with a heap far smaller than the result: only streaming fits.
describe("select in constant memory (built CLI, 64 MB heap)", () => {
  const bin = fileURLToPath(new URL("../bin/llm-accounting.js", import.meta.url));
  const ROWS = 300_000;
  const WIDE = 400;

  /** Runs the CLI, counting stdout instead of keeping it; returns the exit code, byte count, line count and last line. */
  const run = (args: string[]) =>
    new Promise<{ code: number | null; bytes: number; lines: number; last: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ["--max-old-space-size=64", bin, ...args], { stdio: ["ignore", "pipe", "pipe"] });
      let bytes = 0;
      let lines = 0;
      let tail = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        for (const byte of chunk) if (byte === 10) lines += 1;
        tail = (tail + chunk.toString()).slice(-2 * WIDE - 200);
      });
      child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, bytes, lines, last: tail.trimEnd().split("\n").at(-1) ?? "", stderr }));
    });

  it.each(["ndjson", "csv", "json"])("prints all %s rows of a result several times the heap", async (format) => {
    const file = join(dir, `big-${format}.sqlite`);
    const store = new SqliteStore({ file, writerThread: false });
    await store.open();
    await store.close();
    const query = series(ROWS, `, printf('%.${WIDE}c', 'x') AS wide`);
    const result = await run(["--db-file", file, "select", "--format", format, "--query", query]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.bytes).toBeGreaterThan(ROWS * WIDE);
    if (format === "ndjson") {
      expect(result.lines).toBe(ROWS);
      expect(JSON.parse(result.last)).toEqual({ n: ROWS, wide: "x".repeat(WIDE) });
    } else if (format === "csv") {
      expect(result.lines).toBe(ROWS + 1);
      expect(result.last).toBe(`${ROWS},${"x".repeat(WIDE)}`);
    } else {
      expect(result.last).toBe("]");
      expect(result.lines).toBe(ROWS * 4 + 2);
    }
  }, 300_000);
});
