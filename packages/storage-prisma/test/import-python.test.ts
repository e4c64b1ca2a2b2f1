import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { Accounting } from "@llm-accounting/core";
import { importPythonDatabase, openPostgresqlSource, openSqliteSource, PostgresqlStore, SqliteStore } from "../src/index.js";
import { createPythonFixture, createTestDatabase, PYTHON_SQLITE_SCHEMA, pythonRows, TRICKY } from "../src/testing/index.js";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-import-"));
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const drop of drops) await drop(); // DROP DATABASE can take seconds each on a busy server
}, 180_000);

async function counts(store: SqliteStore | PostgresqlStore) {
  const accounting = new Accounting({ store });
  const n = async (table: string) => Number((await accounting.select(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0]!.n);
  const result = {
    entries: await n("accounting_entries"),
    limits: await n("usage_limits"),
    audit: await n("audit_log_entries"),
    projects: await n("projects"),
    users: await n("users"),
    rejections: await n("quota_rejections"),
  };
  return result;
}

describe("import from the Python llm-accounting", () => {
  it("copies a SQLite database losslessly, idempotently, and then only what is new", async () => {
    const sourceFile = join(dir, "python.db");
    createPythonFixture(sourceFile, 5_000);
    const target = new SqliteStore({ file: join(dir, "target.sqlite") });
    const progress: string[] = [];
    const first = await importPythonDatabase(openSqliteSource(sourceFile), target, (table, done, total) => progress.push(`${table}:${done}/${total}`));
    expect(first).toEqual({ accounting_entries: 5_000, audit_log_entries: 2, quota_rejections: 1, usage_limits: 2, projects: 2, users: 2 });
    expect(progress).toContain("accounting_entries:2000/5000");
    expect(progress).toContain("accounting_entries:5000/5000");
    expect(await counts(target)).toEqual({ entries: 5_000, limits: 2, audit: 2, projects: 2, users: 2, rejections: 1 });

    const accounting = new Accounting({ store: target });
    const stats = await accounting.getPeriodStats("2025-01-01T00:00:00Z", "2025-01-10T00:00:00Z");
    expect(stats.sumCostNanos).toBe(500_000_000n);
    expect(stats.sumCost).toBe(0.5);
    const [firstImported] = (await accounting.tail(-1)).sort((a, b) => a.id - b.id);
    expect(firstImported).toMatchObject({ model: "gpt-4", timestamp: new Date("2025-01-02T10:00:01.123Z"), promptTokens: 100, totalTokens: 150, project: "proj", username: "ann", callerName: "app", cachedTokens: 3, reasoningTokens: 1, executionTime: 1.5 });
    const audit = await target.listAuditEntries();
    expect(audit.map((e) => [e.logType, e.timestamp.toISOString(), e.promptText, e.session])).toEqual([
      // Same instant (12:30+02:00 is 10:30Z), so the later id comes first.
      ["response", "2024-01-15T10:30:00.000Z", null, "s1"],
      ["prompt", "2024-01-15T10:30:00.000Z", TRICKY, null],
    ]);
    expect((await target.listUsers()).map((u) => [u.userName, u.enabled, u.createdAt.toISOString()])).toEqual([
      ["ann", true, "2024-12-01T08:00:00.000Z"],
      ["bob", false, "2024-12-02T08:00:00.000Z"],
    ]);
    expect((await target.listLimits()).map((l) => [l.scope, l.maxValue, l.intervalUnit, l.username, l.projectName])).toEqual([
      ["USER", 5, "monthly", "ann", null],
      ["PROJECT", 100, "day_rolling", null, null],
    ]);

    const again = await importPythonDatabase(openSqliteSource(sourceFile), target);
    expect(again).toEqual({ accounting_entries: 0, audit_log_entries: 0, quota_rejections: 0, usage_limits: 0, projects: 0, users: 0 });
    expect(await counts(target)).toEqual({ entries: 5_000, limits: 2, audit: 2, projects: 2, users: 2, rejections: 1 });

    const db = new Database(sourceFile);
    const insert = db.prepare("INSERT INTO accounting_entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (const r of pythonRows(5_001, 10)) insert.run(r);
    db.close();
    expect((await importPythonDatabase(openSqliteSource(sourceFile), target)).accounting_entries).toBe(10);
    expect((await counts(target)).entries).toBe(5_010);
    await target.close();
  });

  it("copies from a PostgreSQL database of the original into PostgreSQL", async () => {
    const source = await createTestDatabase();
    const target = await createTestDatabase();
    drops.push(source.drop, target.drop);
    const client = new pg.Client({ connectionString: source.url });
    await client.connect();
    const pgSchema = PYTHON_SQLITE_SCHEMA
      .replaceAll("DATETIME", "TIMESTAMP WITHOUT TIME ZONE")
      .replaceAll("FLOAT", "DOUBLE PRECISION")
      .replace("DEFAULT '1'", "DEFAULT true")
      .replaceAll("DEFAULT (CURRENT_TIMESTAMP)", "DEFAULT now()");
    await client.query(pgSchema);
    for (const r of pythonRows(1, 30)) await client.query(`INSERT INTO accounting_entries VALUES (${r.map((_, i) => `$${i + 1}`).join(", ")})`, r);
    await client.query("INSERT INTO users VALUES (1, 'ann', NULL, NULL, '2024-12-01 08:00:00', '2024-12-01 08:00:00', '2024-12-05 08:00:00', false)");
    await client.end();
    const store = new PostgresqlStore({ connectionString: target.url });
    const pythonSource = await openPostgresqlSource(source.url);
    const summary = await importPythonDatabase(pythonSource, store);
    expect(summary).toMatchObject({ accounting_entries: 30, users: 1, usage_limits: 0 });
    expect((await store.listUsers())[0]).toMatchObject({ userName: "ann", enabled: false, lastDisabledAt: new Date("2024-12-05T08:00:00Z") });
    const totals = await new Accounting({ store }).getPeriodStats("2025-01-01T00:00:00Z", "2025-01-10T00:00:00Z");
    expect([totals.requests, totals.sumCostNanos]).toEqual([30, 3_000_000n]);
    expect((await importPythonDatabase(pythonSource, store)).accounting_entries).toBe(0);
    await pythonSource.close();
    await store.close();
  });

  it("refuses a file that is not an llm-accounting database, writing nothing", async () => {
    const other = join(dir, "other.db");
    new Database(other).exec("CREATE TABLE something (id INTEGER)");
    const target = new SqliteStore({ file: join(dir, "untouched.sqlite") });
    await expect(importPythonDatabase(openSqliteSource(other), target)).rejects.toThrow(/is not an llm-accounting database/);
    const text = join(dir, "notes.db");
    writeFileSync(text, "just some text, not a database at all ".repeat(50));
    expect(() => openSqliteSource(text)).toThrow(/cannot be read as an SQLite database/);
    expect(() => openSqliteSource(join(dir, "missing.db"))).toThrow(/cannot be read as an SQLite database/);
  });
});
