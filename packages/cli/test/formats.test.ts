import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Accounting } from "@llm-accounting/core";
import { PostgresqlStore, SqliteStore } from "@llm-accounting/storage-prisma";
import { cli, freshStores } from "./helpers.js";

// Every listing command in every format: json is the library's JSON form, ndjson its records one a
// line, csv a header of the same field names (nested as parent.child) and a row per record.
const dir = mkdtempSync(join(tmpdir(), "llm-acct-formats-"));
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await Promise.all(drops.map((drop) => drop()));
}, 180_000);

const facade = (flags: string[]) =>
  new Accounting({ store: flags[0] === "--db-file" ? new SqliteStore({ file: flags[1]!, writerThread: false }) : new PostgresqlStore({ connectionString: flags[3]! }) });

/** What `JSON.stringify` makes of a library value, as plain data. */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

/** RFC 4180 lines (the test data holds commas and quotes, no newlines). */
function parseCsv(text: string): string[][] {
  return text.split("\n").filter((line) => line !== "").map((line) => {
    const cells: string[] = [];
    let cell = "";
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (quoted) {
        if (c === '"' && line[i + 1] === '"') (cell += '"'), i++;
        else if (c === '"') quoted = false;
        else cell += c;
      } else if (c === '"') quoted = true;
      else if (c === ",") cells.push(cell), (cell = "");
      else cell += c;
    }
    cells.push(cell);
    return cells;
  });
}

/** A JSON form flattened as the CSV names its columns. */
function flat(value: unknown, path = "", out: Record<string, string> = {}): Record<string, string> {
  if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) flat(v, path ? `${path}.${k}` : k, out);
  else out[path || "name"] = value === null ? "" : String(value);
  return out;
}

const NOW = new Date();
// The library reads up to the moment of the call, as the CLI run just before it did.
const now = () => new Date();
const YEAR = ["--since", `${NOW.getUTCFullYear()}-01-01`];

for (const [backend, fresh] of freshStores(dir, drops)) {
  // SQLite runs every command; PostgreSQL the record readers (tail, stats), which differ by store.
  const commands: [name: string, args: string[], rows: (json: any) => unknown[], library: (a: Accounting) => Promise<unknown>][] = [
    ["tail", ["tail", "-n", "-1"], (j) => j, (a) => a.tail(-1)],
    ["stats", ["stats", "--yearly"], (j) => j.models, async (a) => ({ models: await a.getModelStats(new Date(Date.UTC(NOW.getUTCFullYear(), 0, 1)), now()) })],
    ["stats --by", ["stats", "--yearly", "--by", "username"], (j) => j.breakdown.groups, async (a) => ({ breakdown: { by: "username", groups: await a.getUsageBreakdown(new Date(Date.UTC(NOW.getUTCFullYear(), 0, 1)), now(), "username") } })],
    ...(backend === "sqlite"
      ? ([
          ["limits list", ["limits", "list"], (j) => j, (a) => a.getUsageLimits()],
          ["prices list", ["prices", "list"], (j) => j, (a) => a.listModelPrices()],
          ["projects list", ["projects", "list"], (j) => j, (a) => a.listProjects()],
          ["users list", ["users", "list"], (j) => j, (a) => a.listUsers()],
          ["reprice", ["reprice", ...YEAR], (j) => j.changes, (a) => a.reprice(new Date(Date.UTC(NOW.getUTCFullYear(), 0, 1)), now())],
          ["audit", ["audit"], (j) => j, async () => undefined],
          ["select", ["select", "--query", "SELECT id, model, username FROM accounting_entries ORDER BY id"], (j) => j, async () => undefined],
        ] as typeof commands)
      : []),
  ];

  describe(`--format table|json|csv|ndjson on ${backend}`, { timeout: 120_000 }, () => {
    let db: string[];
    beforeAll(async () => {
      db = await fresh();
      const seed = [
        ["prices", "set", "--model", "m-1", "--input", "1", "--output", "2"],
        ["track", "--model", "m-1", "--prompt-tokens", "1000", "--completion-tokens", "10", "--username", 'a,"b"', "--project", "p1"],
        ["track", "--model", "m-2", "--prompt-tokens", "5", "--cost", "0.25", "--username", "c"],
        // A later price makes the reprice dry run report a change.
        ["prices", "set", "--model", "m-1", "--input", "3", "--output", "4"],
        ["limits", "set", "--scope", "USER", "--username", "c", "--limit-type", "requests", "--max-value", "5", "--interval-unit", "day", "--interval-value", "1"],
        ["projects", "add", "p,1"],
        ["users", "add", "u1", "--email", "u1@example.com"],
        ["log-event", "--app-name", "app", "--user-name", "u1", "--log-type", "prompt", "--prompt-text", "hi, there"],
      ];
      for (const args of seed) expect(await cli([...db, ...args]), args.join(" ")).toMatchObject({ code: 0 });
    }, 120_000);

    for (const [name, args, rowsOf, library] of commands) {
      it(`${name}: json is the library form; ndjson and csv hold the same fields, a row per record`, async () => {
        const run = async (format: string) => {
          const result = await cli([...db, ...args, "--format", format]);
          expect(result, `${name} --format ${format}`).toMatchObject({ code: 0, stderr: "" });
          return result.stdout;
        };
        const json = JSON.parse(await run("json"));
        const rows = rowsOf(json);
        expect(rows.length).toBeGreaterThan(0);
        const accounting = facade(db);
        try {
          const expected = await library(accounting);
          if (expected !== undefined) expect(json).toMatchObject(plain(expected) as object);
        } finally {
          await accounting.close();
        }
        // A forecast projects from the moment of each run, so it differs between the three runs.
        const timeless = <T,>(row: T): T => (name === "limits list" ? { ...(row as object), forecast: (row as { forecast: unknown }).forecast === null ? null : "projection" } : row) as T;
        expect((await run("ndjson")).trimEnd().split("\n").map((line) => timeless(JSON.parse(line)))).toEqual(rows.map(timeless));
        const [header, ...lines] = parseCsv(await run("csv"));
        expect(header).toEqual(Object.keys(flat(rows[0])));
        const timelessCell = (h: string, cell: string | undefined) => (name === "limits list" && h.startsWith("forecast.") ? "" : cell);
        expect(lines.map((cells) => Object.fromEntries(header!.map((h, i) => [h, timelessCell(h, cells[i])])))).toEqual(rows.map((r) => Object.fromEntries(Object.entries(flat(r)).map(([h, v]) => [h, timelessCell(h, v)]))));
        expect(await run("table")).not.toBe("");
      });
    }
  });
}
