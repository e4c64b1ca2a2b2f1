import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { sampleRecord } from "@llm-accounting/testkit";
import { PostgresqlStore, SqliteStore } from "../src/index.js";
import { postgresqlMigrations, sqliteMigrations } from "../src/generated/migrations.js";
import { migratePostgresql } from "../src/migrate/postgresql-migrator.js";
import { createTestDatabase, olderSqliteDatabase } from "../src/testing/index.js";

// The usage_estimated migration adds the column in place: rows written before it read as not
// estimated, and the store goes on writing both values.

const dir = mkdtempSync(join(tmpdir(), "llm-acct-estimated-"));
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const drop of drops) await drop();
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

const before = <M extends { name: string }>(migrations: readonly M[]): M[] => migrations.slice(0, migrations.findIndex((m) => m.name.endsWith("_usage_estimated")));
const OLD_ROW = "INSERT INTO accounting_entries (timestamp, model, prompt_tokens, completion_tokens, total_tokens, cost_nanos, execution_time) VALUES ";

describe("the usage_estimated migration", () => {
  it("reads a SQLite row written before it as not estimated", async () => {
    const file = join(dir, "old.sqlite");
    // Left out: usage_estimated and the migrations that came after it.
    expect(olderSqliteDatabase(file, sqliteMigrations.length - before(sqliteMigrations).length)[0]).toMatch(/_usage_estimated$/);
    const db = new Database(file);
    db.exec(`${OLD_ROW} ('2025-01-15T10:00:00.000+00:00', 'old', 10, 5, 15, 7, 0.5)`);
    db.close();
    const store = new SqliteStore({ file });
    await store.insertUsage(sampleRecord({ model: "new", timestamp: new Date("2025-01-15T11:00:00Z") }));
    expect((await store.tail(10)).map((r) => [r.model, r.promptTokens, r.usageEstimated])).toEqual([["new", 100, true], ["old", 10, false]]);
    await store.close();
  });

  it("reads a PostgreSQL row written before it as not estimated", async () => {
    const { url, drop } = await createTestDatabase();
    drops.push(drop);
    await migratePostgresql(url, undefined, before(postgresqlMigrations));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`${OLD_ROW} ('2025-01-15T10:00:00Z', 'old', 10, 5, 15, 7, 0.5)`);
    await client.end();
    const store = new PostgresqlStore({ connectionString: url });
    await store.insertUsage(sampleRecord({ model: "new", timestamp: new Date("2025-01-15T11:00:00Z") }));
    expect((await store.tail(10)).map((r) => [r.model, r.promptTokens, r.usageEstimated])).toEqual([["new", 100, true], ["old", 10, false]]);
    await store.close();
  });
});
