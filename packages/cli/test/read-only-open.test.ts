import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { olderSqliteDatabase } from "@llm-accounting/storage-prisma/testing";
import { cli, createTestDatabase } from "./helpers.js";

// Every command that only reads, as a user would type it.
const READ_COMMANDS = [
  ["stats", "--daily"],
  ["tail"],
  ["limits", "list"],
  ["select", "--query", "SELECT 1 AS one"],
  ["prices", "list"],
  ["audit"],
  ["projects", "list"],
  ["users", "list"],
  ["check", "--model", "m"],
];

/** The file's bytes and the folder's names: what "nothing was written" means. */
function snapshot(dir: string, file: string): string {
  return `${createHash("sha256").update(readFileSync(file)).digest("hex")} ${readdirSync(dir).sort().join(",")}`;
}

describe("commands that only read", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "llm-acct-ro-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("refuse another application's SQLite file in one line and leave it byte for byte as it was", async () => {
    const file = join(dir, "shop.db");
    const foreign = new Database(file);
    foreign.exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES ('ada'), ('grace');");
    foreign.close();
    const before = snapshot(dir, file);
    for (const argv of READ_COMMANDS) {
      const run = await cli(["--db-file", file, ...argv]);
      expect(run.code, argv.join(" ")).toBe(1);
      expect(run.stderr, argv.join(" ")).toMatch(/^Error: --db-file ".*shop\.db" is not an llm-accounting database \(it holds 1 other table and none of ours\); nothing was read or written\n$/);
      expect(snapshot(dir, file), argv.join(" ")).toBe(before);
    }
  });

  it("refuse another Prisma application's database: its bookkeeping table is not ours", async () => {
    const file = join(dir, "other-prisma.sqlite");
    const foreign = new Database(file);
    foreign.exec(`CREATE TABLE "_prisma_migrations" (id TEXT PRIMARY KEY, checksum TEXT, finished_at DATETIME, migration_name TEXT, logs TEXT, rolled_back_at DATETIME, started_at DATETIME, applied_steps_count INTEGER);
      INSERT INTO "_prisma_migrations" VALUES ('1', 'x', '2025-01-01', '20250101000000_shop', NULL, NULL, '2025-01-01', 1);`);
    foreign.close();
    const before = snapshot(dir, file);
    const run = await cli(["--db-file", file, "stats", "--daily"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/is not an llm-accounting database \(its migrations are another application's\)/);
    expect(snapshot(dir, file)).toBe(before);
  });

  it("refuse a database an older version wrote until `migrate` brings it up to date", async () => {
    const file = join(dir, "old.sqlite");
    // As an older version left it: the newest migration not yet applied, one call recorded.
    olderSqliteDatabase(file);
    const db = new Database(file);
    db.prepare("INSERT INTO accounting_entries (timestamp, model, cost_nanos) VALUES ('2025-01-01T00:00:00.000+00:00', 'm', 500000000)").run();
    db.close();
    // A WAL file: SQLite's reader may add its -shm/-wal companions; the database itself must not change.
    const before = createHash("sha256").update(readFileSync(file)).digest("hex");
    const refused = await cli(["--db-file", file, "tail"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^Error: ".*old\.sqlite" was written by an older llm-accounting \(1 migration to apply\): run "llm-accounting migrate" once, then retry\n$/);
    expect(createHash("sha256").update(readFileSync(file)).digest("hex")).toBe(before);
    expect((await cli(["--db-file", file, "migrate"])).code).toBe(0);
    const tail = await cli(["--db-file", file, "tail", "--format", "json"]);
    expect(tail.code).toBe(0);
    expect(JSON.parse(tail.stdout)).toHaveLength(1);
  });

  it("`migrate` creates or updates the store; reads then work", async () => {
    const file = join(dir, "fresh.sqlite");
    const migrated = await cli(["--db-file", file, "migrate"]);
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toMatch(/fresh\.sqlite is up to date\n$/);
    const tail = await cli(["--db-file", file, "tail", "--format", "json"]);
    expect(tail.code).toBe(0);
    expect(JSON.parse(tail.stdout)).toEqual([]);
  });

  it("read an up-to-date database without changing its file", async () => {
    const file = join(dir, "ours.sqlite");
    expect((await cli(["--db-file", file, "track", "--model", "m", "--cost", "0.25"])).code).toBe(0);
    // Checkpointed and closed by the write, so the main file holds everything.
    const before = createHash("sha256").update(readFileSync(file)).digest("hex");
    for (const argv of READ_COMMANDS) {
      const run = await cli(["--db-file", file, ...argv]);
      expect(run.code, `${argv.join(" ")}: ${run.stderr}`).toBe(0);
    }
    expect(createHash("sha256").update(readFileSync(file)).digest("hex")).toBe(before);
  });

  it("in a folder without data/, refuse the default file instead of creating it", async () => {
    const empty = mkdtempSync(join(dir, "empty-"));
    const cwd = process.cwd();
    process.chdir(empty);
    try {
      for (const argv of READ_COMMANDS) {
        const run = await cli(argv);
        expect(run.code, argv.join(" ")).toBe(1);
        expect(run.stderr, argv.join(" ")).toMatch(/^Error: --db-file ".*data\/accounting\.sqlite" does not exist: nothing has been recorded there/);
      }
      expect(existsSync(join(empty, "data"))).toBe(false);
      // The first write creates it, as before.
      expect((await cli(["track", "--model", "m"])).code).toBe(0);
      expect(existsSync(join(empty, "data", "accounting.sqlite"))).toBe(true);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe("commands that only read, on PostgreSQL", () => {
  const drops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const drop of drops) await drop();
  }, 180_000);

  /** Every table and its row count: what "nothing was created or written" means here. */
  async function tables(url: string): Promise<string> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const names = (await client.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).rows.map((r) => r.t);
      const counts = [];
      for (const name of names) counts.push(`${name}:${(await client.query(`SELECT count(*) AS n FROM "${name}"`)).rows[0].n}`);
      return counts.join(",");
    } finally {
      await client.end();
    }
  }

  it("refuse another application's database without creating our tables in it, then read ours after migrate", async () => {
    const db = await createTestDatabase();
    drops.push(db.drop);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query("CREATE TABLE customers (id serial PRIMARY KEY, name text); INSERT INTO customers (name) VALUES ('ada')");
    await client.end();
    const flags = ["--db-backend", "postgresql", "--postgresql-connection-string", db.url];
    const before = await tables(db.url);
    for (const argv of READ_COMMANDS) {
      const run = await cli([...flags, ...argv]);
      expect(run.code, argv.join(" ")).toBe(1);
      expect(run.stderr, argv.join(" ")).toMatch(/^Error: .* is not an llm-accounting database \(it holds 1 other table and none of ours\); nothing was read or written\n$/);
    }
    expect(await tables(db.url)).toBe(before);
    expect((await cli([...flags, "migrate"])).code).toBe(0);
    for (const argv of READ_COMMANDS) {
      const run = await cli([...flags, ...argv]);
      expect(run.code, `${argv.join(" ")}: ${run.stderr}`).toBe(0);
    }
  });
});
