import { createHash, randomBytes } from "node:crypto";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { Accounting } from "@llm-accounting/core";
import { runCli, type CliIo } from "@llm-accounting/cli";
import { freshStore, removeFreshStores, type FreshStore } from "./support/stores.js";

// `select` as an operator (or a script fed untrusted SQL) would run it, on a superuser PostgreSQL
// connection and a real SQLite file: every attack is refused with one line and exit 1, and the
// ledger, its schema and the file system are exactly as before. The PostgreSQL screen is tested
// in depth in packages/storage-prisma/test/postgresql-select-attacks.test.ts; this is the
// whole-product view of the same guarantee.
afterAll(removeFreshStores, 180_000);

const MARK = join(tmpdir(), `llm-acct-attack-${process.pid}-${randomBytes(4).toString("hex")}`);
afterAll(() => {
  for (const name of readdirSync(tmpdir())) if (join(tmpdir(), name).startsWith(MARK)) rmSync(join(tmpdir(), name), { force: true, recursive: true });
});

const WRITES = [
  "DELETE FROM accounting_entries",
  "UPDATE accounting_entries SET cost_nanos = 0",
  "INSERT INTO accounting_entries (model) VALUES ('x')",
  "DROP TABLE usage_limits",
  "CREATE TABLE loot AS SELECT * FROM accounting_entries",
  "WITH gone AS (DELETE FROM accounting_entries RETURNING *) SELECT count(*) FROM gone",
  "SELECT 1; DELETE FROM accounting_entries",
  "COMMIT; DELETE FROM accounting_entries",
  "ROLLBACK; DELETE FROM accounting_entries",
  "END; UPDATE accounting_entries SET cost_nanos = 1",
  "SELECT 1; COMMIT; UPDATE accounting_entries SET cost_nanos = 2",
  "COMMIT; DROP TABLE usage_limits",
];

const POSTGRESQL_ATTACKS = [
  ...WRITES,
  "SELECT * INTO loot FROM accounting_entries",
  `COPY (SELECT 1) TO PROGRAM 'touch ${MARK}-program'`,
  `COPY accounting_entries TO '${MARK}-copy'`,
  "SELECT pg_read_file('/etc/hostname')",
  "SELECT pg_ls_dir('.')",
  `SELECT lo_export(lo_from_bytea(0, 'x'), '${MARK}-lo')`,
  "LOCK TABLE accounting_entries IN ACCESS EXCLUSIVE MODE",
  "SELECT pg_advisory_lock(1)",
  "SELECT 1 LIMIT (SELECT pg_advisory_lock(2) IS NOT NULL)::int",
  "SET transaction_read_only = off",
  "SELECT set_config('transaction_read_only', 'off', false)",
  "SELECT set_config('role', 'postgres', false)",
  "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid()",
  "SELECT nextval('accounting_entries_id_seq')",
  `SELECT query_to_xml('SELECT pg_read_file(''/etc/hostname'')', true, true, '')`,
  `DO $$ BEGIN EXECUTE 'DELETE FROM accounting_entries'; END $$`,
];

const SQLITE_ATTACKS = [
  ...WRITES,
  `ATTACH DATABASE '${MARK}-attached.sqlite' AS loot`,
  `VACUUM INTO '${MARK}-vacuum.sqlite'`,
  "PRAGMA writable_schema = 1",
  "PRAGMA journal_mode = DELETE",
  "PRAGMA query_only = OFF",
  "SELECT load_extension('/tmp/nothing')",
  "REINDEX",
];

const RUNAWAY = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r";

async function cli(argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = { stdout: { write: (t: string) => (stdout += t), isTTY: false }, stderr: { write: (t: string) => (stderr += t) }, readLine: async () => null, env: {}, now: () => new Date() };
  const code = await runCli([...argv], io);
  return { code, stdout, stderr };
}

/** Schema and every row of every table, hashed: the same text means nothing changed. */
async function fingerprint(store: FreshStore): Promise<string> {
  const hash = createHash("sha256");
  if (store.backend === "sqlite") {
    const db = new Database(store.location, { readonly: true });
    try {
      const tables = db.prepare("SELECT name, sql FROM sqlite_master ORDER BY name").all() as { name: string; sql: string | null }[];
      for (const t of tables) {
        hash.update(`${t.name}:${t.sql}\n`);
        if (t.sql?.startsWith("CREATE TABLE")) for (const row of db.prepare(`SELECT * FROM "${t.name}"`).raw().all()) hash.update(JSON.stringify(row, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)));
      }
    } finally {
      db.close();
    }
  } else {
    const client = new pg.Client({ connectionString: store.location });
    await client.connect();
    try {
      const tables = (await client.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).rows;
      for (const { t } of tables) hash.update(`${t}:${JSON.stringify((await client.query(`SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM "${t}" x`)).rows)}\n`);
      hash.update(JSON.stringify((await client.query("SELECT last_value FROM accounting_entries_id_seq")).rows));
      hash.update(JSON.stringify((await client.query("SELECT count(*)::int AS n FROM pg_largeobject_metadata")).rows));
      // Advisory locks held in this database only: other tests on the server take their own.
      hash.update(JSON.stringify((await client.query("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")).rows));
    } finally {
      await client.end();
    }
  }
  return hash.digest("hex");
}

async function seeded(backend: "sqlite" | "postgresql"): Promise<FreshStore> {
  const store = await freshStore(backend);
  const accounting = new Accounting({ store: store.open() });
  for (let i = 0; i < 20; i++) await accounting.trackUsage({ model: `m${i % 3}`, promptTokens: i, cost: i / 100, username: "ada" });
  await accounting.setUsageLimit({ scope: "GLOBAL", limitType: "cost", maxValue: 5, intervalUnit: "day", intervalValue: 1, model: null, username: null, callerName: null, projectName: null });
  await accounting.close();
  return store;
}

describe.each([
  ["sqlite", SQLITE_ATTACKS],
  ["postgresql", POSTGRESQL_ATTACKS],
] as const)("select attacks on %s", (backend, attacks) => {
  it(`refuses all ${attacks.length} attacks in one line each and changes nothing`, async () => {
    const store = await seeded(backend);
    const before = await fingerprint(store);
    const wrong: string[] = [];
    for (const sql of attacks) {
      const run = await cli([...store.cliArgs, "select", "--query", sql, "--format", "json"]);
      const lines = run.stderr.split("\n").filter(Boolean);
      if (run.code !== 1 || lines.length !== 1 || !/^Error: query (rejected|failed)/.test(lines[0]!)) wrong.push(`${sql} → exit ${run.code}: ${run.stderr.trim().slice(0, 200)} ${run.stdout.slice(0, 100)}`);
      if ((await fingerprint(store)) !== before) wrong.push(`${sql} → changed the store`);
    }
    expect(wrong).toEqual([]);
    expect(readdirSync(tmpdir()).filter((name) => join(tmpdir(), name).startsWith(MARK))).toEqual([]);
    // Reading still works, and says what it read.
    const read = await cli([...store.cliArgs, "select", "--query", "SELECT count(*) AS n FROM accounting_entries", "--format", "json"]);
    expect(read.code).toBe(0);
    expect(Number(JSON.parse(read.stdout)[0].n)).toBe(20);
  });

  it("stops a runaway query at --timeout with one line", async () => {
    const store = await seeded(backend);
    const run = await cli([...store.cliArgs, "select", "--query", RUNAWAY, "--timeout", "2"]);
    expect(run.code).toBe(1);
    expect(run.stderr.split("\n").filter(Boolean)).toHaveLength(1);
    expect(run.stderr).toMatch(/time|cancel/i);
    expect(existsSync(store.location) || backend === "postgresql").toBe(true);
  });
});
