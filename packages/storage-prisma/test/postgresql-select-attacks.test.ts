// Query attacks on `select` over a SUPERUSER connection: each must be refused with one line, and
// afterwards the database (every table's rows and the schema), the server's files and its locks
// must be exactly as before.
import { existsSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QueryRejectedError } from "@llm-accounting/core";
import { sampleRecord } from "@llm-accounting/testkit";
import { PostgresqlStore } from "../src/index.js";
import { streamReadOnlyPgQuery } from "../src/postgresql/read-only-query.js";
import { createTestDatabase } from "../src/testing/index.js";

const MARK = `/tmp/llm-acct-attack-${process.pid}-${randomBytes(4).toString("hex")}`;
const mark = (n: number) => `${MARK}-${n}`;

let store: PostgresqlStore;
let admin: pg.Client;
let drop: () => Promise<void>;
let url: string;

/** A fingerprint of the whole database: schema, every table's rows, large objects, sequences. */
async function fingerprint(): Promise<string> {
  const tables = await admin.query<{ name: string }>("SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1");
  const parts: string[] = [];
  const schema = await admin.query(
    "SELECT n.nspname, c.relname, c.relkind, a.attname, a.atttypid, a.attnotnull FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') ORDER BY 1, 2, 4",
  );
  parts.push(JSON.stringify(schema.rows));
  for (const { name } of tables.rows) {
    const rows = await admin.query(`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS h, count(*)::int AS n FROM ${name} t`);
    parts.push(`${name}:${rows.rows[0].n}:${rows.rows[0].h}`);
  }
  parts.push(JSON.stringify((await admin.query("SELECT count(*)::int AS n FROM pg_largeobject_metadata")).rows));
  parts.push(JSON.stringify((await admin.query("SELECT rolname, rolsuper, rolcanlogin FROM pg_roles ORDER BY 1")).rows));
  parts.push(JSON.stringify((await admin.query("SELECT last_value, is_called FROM accounting_entries_id_seq")).rows));
  return parts.join("\n");
}

/** Advisory locks and sessions left behind by any other connection to this database. */
async function leftovers(): Promise<unknown[]> {
  const locks = await admin.query("SELECT locktype, mode FROM pg_locks WHERE locktype = 'advisory' OR (locktype = 'relation' AND pid <> pg_backend_pid() AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))");
  const sessions = await admin.query("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'");
  return [...locks.rows, ...sessions.rows];
}

beforeAll(async () => {
  const db = await createTestDatabase();
  drop = db.drop;
  url = db.url;
  store = new PostgresqlStore({ connectionString: db.url, connectTimeoutMs: 30_000 });
  for (let i = 0; i < 5; i++) await store.insertUsage(sampleRecord({ model: `m${i}`, promptTokens: 10 + i }));
  admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  // The attacks run as a superuser, who may do anything the server allows.
  expect((await admin.query("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).rows[0].rolsuper).toBe(true);
  // Objects a malicious admin or migration could have planted: a user function that reads a
  // server file while claiming to be immutable, an operator over it, and views hiding calls.
  await admin.query("CREATE FUNCTION public.peek(int) RETURNS text IMMUTABLE LANGUAGE sql AS $$ SELECT pg_read_file('/etc/hostname') $$");
  await admin.query("CREATE FUNCTION public.peek2(int, int) RETURNS text IMMUTABLE LANGUAGE sql AS $$ SELECT pg_read_file('/etc/hostname') $$");
  await admin.query("CREATE OPERATOR public.### (FUNCTION = public.peek2, LEFTARG = int, RIGHTARG = int)");
  // A user operator over a built-in function: its estimators run at planning, so it is refused too.
  await admin.query("CREATE OPERATOR public.#=# (FUNCTION = pg_catalog.int4eq, LEFTARG = int, RIGHTARG = int)");
  await admin.query("CREATE VIEW public.sneaky AS SELECT pg_catalog.pg_read_file('/etc/hostname') AS t");
  await admin.query("CREATE VIEW public.locker AS SELECT pg_advisory_lock(42) IS NULL AS l");
  // The server writes files where this test can see them (the check below would be empty otherwise).
  await admin.query(`COPY (SELECT 1) TO '${mark(0)}'`);
  expect(existsSync(mark(0))).toBe(true);
  rmSync(mark(0), { force: true });
});

afterAll(async () => {
  await store?.close();
  await admin?.end();
  await drop?.();
  for (let i = 0; i < 20; i++) rmSync(mark(i), { force: true });
}, 120_000);

const attacks: string[] = [
  // Leaving the read-only transaction through the simple protocol's multi-statement strings.
  "COMMIT; DELETE FROM accounting_entries",
  "ROLLBACK; DELETE FROM accounting_entries",
  "END; DELETE FROM accounting_entries",
  "SELECT 1; COMMIT; UPDATE accounting_entries SET cost_nanos = 1",
  "COMMIT; DROP TABLE usage_limits",
  "SELECT 1) AS q; DELETE FROM accounting_entries; SELECT * FROM (SELECT 1",
  "SELECT 1 -- \n) AS q; COMMIT; DELETE FROM accounting_entries; SELECT * FROM (SELECT 1",
  // Statements that are not a query expression.
  `COPY (SELECT 1) TO PROGRAM 'touch ${mark(1)}'`,
  `COPY accounting_entries TO '${mark(2)}'`,
  `COPY accounting_entries FROM '/etc/hostname'`,
  "LOCK TABLE accounting_entries IN ACCESS EXCLUSIVE MODE",
  "SET transaction_read_only = off",
  "SET ROLE postgres",
  "SET SESSION AUTHORIZATION postgres",
  "RESET ALL",
  "DO $$ BEGIN DELETE FROM accounting_entries; END $$",
  "CREATE TABLE sneaky_table (id int)",
  "SELECT * INTO stolen FROM accounting_entries",
  "WITH gone AS (DELETE FROM accounting_entries RETURNING *) SELECT * FROM gone",
  "EXPLAIN ANALYZE DELETE FROM accounting_entries",
  "PREPARE p AS DELETE FROM accounting_entries",
  "VACUUM accounting_entries",
  "ANALYZE accounting_entries",
  "CHECKPOINT",
  "NOTIFY chan",
  "LISTEN chan",
  "TRUNCATE accounting_entries",
  // Row locks.
  "SELECT * FROM accounting_entries FOR UPDATE",
  "SELECT * FROM accounting_entries FOR SHARE",
  // Side-effecting built-in functions, also hidden in clauses, CTEs, subqueries and views.
  "SELECT pg_read_file('/etc/hostname')",
  "SELECT pg_catalog.pg_read_file('/etc/hostname')",
  `SELECT "pg_read_file"('/etc/hostname')`,
  `SELECT pg_catalog."pg_read_file"('/etc/hostname')`,
  "SELECT * FROM pg_ls_dir('.')",
  "SELECT pg_stat_file('postgresql.conf')",
  "SELECT lo_import('/etc/hostname')",
  "SELECT lo_from_bytea(0, 'x')",
  `SELECT lo_export(lo_from_bytea(0, 'x'), '${mark(3)}')`,
  "SELECT pg_advisory_lock(1)",
  "SELECT pg_advisory_xact_lock(1)",
  "SELECT pg_try_advisory_lock(1)",
  "SELECT 1 ORDER BY pg_advisory_lock(7)",
  "SELECT 1 LIMIT (SELECT length(pg_read_file('/etc/hostname')))",
  "SELECT 1 OFFSET (SELECT count(*) FROM pg_ls_dir('.'))",
  "WITH f AS (SELECT pg_read_file('/etc/hostname') AS t) SELECT * FROM f",
  "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE pg_advisory_lock(n) IS NULL) SELECT * FROM r",
  "SELECT (SELECT pg_ls_dir('.') LIMIT 1)",
  "SELECT * FROM accounting_entries WHERE EXISTS (SELECT pg_advisory_lock(id))",
  "SELECT model, count(*) FROM accounting_entries GROUP BY model HAVING pg_try_advisory_lock(3)",
  "SELECT sum(length(pg_read_file('/etc/hostname'))) OVER () FROM accounting_entries",
  "SELECT * FROM generate_series(1, 3) g, LATERAL (SELECT pg_advisory_lock(g) IS NULL AS x) l",
  "SELECT * FROM sneaky",
  "SELECT * FROM locker",
  "SELECT public.peek(1)",
  "SELECT 1 ### 2",
  "SELECT 1 #=# 2",
  "SELECT set_config('transaction_read_only', 'off', true)",
  "SELECT set_config('role', 'postgres', false)",
  "SELECT set_config('statement_timeout', '0', false)",
  "SELECT pg_notify('chan', 'x')",
  "SELECT pg_cancel_backend(1)",
  "SELECT pg_terminate_backend(1)",
  "SELECT pg_reload_conf()",
  "SELECT pg_rotate_logfile()",
  "SELECT pg_switch_wal()",
  "SELECT nextval('accounting_entries_id_seq')",
  "SELECT setval('accounting_entries_id_seq', 1)",
  "SELECT pg_sleep(0)",
  "SELECT txid_current()",
  "SELECT query_to_xml('SELECT pg_read_file(''/etc/hostname'')', true, true, '')",
  "SELECT table_to_xml('accounting_entries', true, true, '')",
  "SELECT ts_stat('SELECT to_tsvector(pg_read_file(''/etc/hostname''))')",
  "SELECT * FROM accounting_entries WHERE model = current_setting('is_superuser') OR pg_advisory_lock(3) IS NULL",
];

describe("select on PostgreSQL over a superuser connection", () => {
  it.each(attacks)("refuses, changing nothing: %s", async (sql) => {
    const before = await fingerprint();
    const error = await store.readOnlyQuery(sql).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(QueryRejectedError);
    expect((error as Error).message).not.toContain("\n");
    expect(await fingerprint()).toBe(before);
    expect(await leftovers()).toEqual([]);
    for (let i = 1; i <= 3; i++) expect(existsSync(mark(i))).toBe(false);
  });

  it("names the refused function", async () => {
    await expect(store.readOnlyQuery(`SELECT "PG_READ_FILE"('x')`)).rejects.toThrow(/function .*pg_read_file.* does not exist/i);
    await expect(store.readOnlyQuery("SELECT pg_catalog.pg_read_file('/etc/hostname')")).rejects.toThrow("query rejected: function pg_read_file may change or read outside the database");
    await expect(store.readOnlyQuery("SELECT public.peek(1)")).rejects.toThrow("query rejected: function public.peek is not built in");
    await expect(store.readOnlyQuery("SELECT 1 #=# 2")).rejects.toThrow("query rejected: operator public.#=# is not built in");
  });

  it("still runs ordinary read-only queries", async () => {
    const result = await store.readOnlyQuery(
      `WITH m AS (SELECT model, prompt_tokens FROM accounting_entries)
       SELECT model, prompt_tokens, sum(prompt_tokens) OVER (ORDER BY model) AS running, upper(model) AS up,
              now() <= clock_timestamp() AS sane, random() < 2 AS r, (SELECT count(*) FROM accounting_entries) AS n
         FROM m WHERE model LIKE 'm%' AND prompt_tokens BETWEEN 10 AND 99 ORDER BY model DESC LIMIT 2 OFFSET 1;`,
    );
    expect(result.columns).toEqual(["model", "prompt_tokens", "running", "up", "sane", "r", "n"]);
    expect(result.rows.map((r) => [r.model, r.up, r.sane, r.r, Number(r.n)])).toEqual([
      ["m3", "M3", true, true, 5],
      ["m2", "M2", true, true, 5],
    ]);
    const catalog = await store.readOnlyQuery("SELECT count(*) AS n FROM pg_tables WHERE tablename = 'accounting_entries'");
    expect(Number(catalog.rows[0]!.n)).toBe(1);
  });

  it("refuses a row too large to read, in one line, and keeps working", async () => {
    const error = await store.readOnlyQuery("SELECT repeat('x', 600000000) AS v").then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(QueryRejectedError);
    expect(error!.message).toMatch(/^query failed: a row is too large to read \(\d+ bytes as text; the most is 64 MB\)/);
    expect(error!.message).not.toContain("\n");
    expect((await store.readOnlyQuery("SELECT length(repeat('x', 1000000)) AS n")).rows).toEqual([{ n: 1000000 }]);
  });

  it("needs no more than CONNECT and SELECT: a role that can only read runs it, refusals included", async () => {
    const role = `llm_acct_reader_${randomBytes(4).toString("hex")}`;
    await admin.query(`CREATE ROLE ${role} LOGIN`);
    try {
      await admin.query(`GRANT SELECT ON accounting_entries TO ${role}`);
      const asReader = new URL(url);
      asReader.username = role;
      const rows: (readonly unknown[])[] = [];
      const sink = { columns: () => undefined, rows: (batch: readonly (readonly unknown[])[]) => void rows.push(...batch) };
      const summary = await streamReadOnlyPgQuery({ connectionString: asReader.toString() }, "SELECT model FROM accounting_entries ORDER BY model", sink);
      expect(summary).toEqual({ rowCount: 5, truncated: false });
      expect(rows.map((r) => r[0])).toEqual(["m0", "m1", "m2", "m3", "m4"]);
      await expect(streamReadOnlyPgQuery({ connectionString: asReader.toString() }, "SELECT pg_advisory_lock(1)", sink)).rejects.toThrow("query rejected: function pg_advisory_lock may change or read outside the database");
    } finally {
      await admin.query(`DROP OWNED BY ${role}`);
      await admin.query(`DROP ROLE ${role}`);
    }
  });
});
