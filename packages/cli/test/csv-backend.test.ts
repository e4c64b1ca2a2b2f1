import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "./helpers.js";

const root = mkdtempSync(join(tmpdir(), "llm-acct-cli-csv-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const NOW = new Date("2025-03-14T15:00:00.000Z");

describe("the csv backend from the command line", () => {
  const csv = ["--db-backend", "csv", "--csv-data-dir", join(root, "data")];

  it("tracks, reports, limits, enforces and purges", async () => {
    expect((await cli([...csv, "track", "--model", "gpt-4o", "--prompt-tokens", "10", "--cost", "0.25", "--username", "ann", "--timestamp", "2025-03-14T10:00:00Z"])).code).toBe(0);
    expect(existsSync(join(root, "data", "accounting_entries.csv"))).toBe(true);
    const stats = JSON.parse((await cli([...csv, "stats", "--daily", "--format", "json"], { now: NOW })).stdout);
    expect(stats.totals).toMatchObject({ requests: 1, sumCost: 0.25, sumPromptTokens: 10 });
    await cli([...csv, "limits", "set", "--scope", "USER", "--username", "ann", "--limit-type", "requests", "--max-value", "1", "--interval-unit", "day", "--interval-value", "1"]);
    expect((await cli([...csv, "check", "--model", "gpt-4o", "--username", "ann"], { now: NOW })).code).toBe(3);
    expect((await cli([...csv, "track", "--model", "gpt-4o", "--username", "ann", "--enforce-limits"], { now: NOW })).code).toBe(3);
    expect((await cli([...csv, "projects", "add", "web"])).stdout).toBe("Project 'web' added.\n");
    expect(JSON.parse((await cli([...csv, "tail", "--format", "json"])).stdout)).toHaveLength(1);
    expect((await cli([...csv, "purge", "-y"])).stdout).toContain("(1 entry)");
  });

  it("says plainly that SQL is not available", async () => {
    const run = await cli([...csv, "select", "--query", "SELECT 1"]);
    expect(run).toMatchObject({ code: 1, stderr: "Error: SQL queries are not supported by the CSV store; use the SQLite or PostgreSQL store\n" });
  });

  it("rejects options of other backends", async () => {
    expect((await cli([...csv, "--db-file", "x.sqlite", "tail"])).code).toBe(2);
    expect((await cli(["--csv-data-dir", join(root, "d2"), "--db-backend", "sqlite", "tail"])).code).toBe(2);
  });
});
