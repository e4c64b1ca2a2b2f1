// Query attacks on `select` over a SUPERUSER connection: each must be refused with one line, and
// afterwards the database (every table's rows and the schema), the server's files and its locks
// must be exactly as before.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QueryRejectedError } from "@llm-accounting/core";
import { sampleRecord } from "@llm-accounting/testkit";
import { PostgresqlStore } from "../src/index.js";
import { screenQueryTree } from "../src/postgresql/query-functions.js";
import { treeIds } from "../src/postgresql/query-tree.js";
import { streamReadOnlyPgQuery } from "../src/postgresql/read-only-query.js";
import { createTestDatabase } from "../src/testing/index.js";

const MARK = `/tmp/llm-acct-attack-${process.pid}-${randomBytes(4).toString("hex")}`;
const mark = (n: number) => `${MARK}-${n}`;
// What the planted domain would leak in its cast error.
const hostname = readFileSync("/etc/hostname", "utf8").trim();

let store: PostgresqlStore;
let admin: pg.Client;
let drop: () => Promise<void>;
let url: string;
// file_fdw ships with the server's contrib package; without it the foreign-table attacks are skipped.
let fileFdw = false;

/** A fingerprint of the whole database: schema, every table's rows, large objects, sequences. */
async function fingerprint(): Promise<string> {
  const tables = await admin.query<{ name: string }>("SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1");
  const parts: string[] = [];
  const schema = await admin.query(
    "SELECT n.nspname, c.relname, c.relkind, a.attname, a.atttypid, a.attnotnull FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') ORDER BY 1, 2, 4",
  );
  parts.push(JSON.stringify(schema.rows));
  for (const { name } of tables.rows) {
    const rows = await admin.query(`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS h, count(*)::int AS n FROM ONLY ${name} t`);
    parts.push(`${name}:${rows.rows[0].n}:${rows.rows[0].h}`);
  }
  parts.push(JSON.stringify((await admin.query("SELECT count(*)::int AS n FROM pg_largeobject_metadata")).rows));
  parts.push(JSON.stringify((await admin.query("SELECT rolname, rolsuper, rolcanlogin FROM pg_roles ORDER BY 1")).rows));
  parts.push(JSON.stringify((await admin.query("SELECT last_value, is_called FROM accounting_entries_id_seq")).rows));
  return parts.join("\n");
}

/** Advisory locks and sessions left behind by any other connection to this database. */
async function leftovers(): Promise<unknown[]> {
  // Only this database's locks: other test runs on the same server take advisory locks of their own.
  const locks = await admin.query(
    "SELECT locktype, mode FROM pg_locks WHERE locktype IN ('advisory', 'relation') AND pid <> pg_backend_pid() AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
  );
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
  // Code that runs unseen by the tree's function fields: a server-side function that leaves a
  // marker file, called from a domain CHECK, a cast to json, an enum's default comparison, and a
  // function planted in pg_catalog itself.
  await admin.query(
    `CREATE FUNCTION public.plant(n int) RETURNS bool VOLATILE LANGUAGE plpgsql AS $$ BEGIN EXECUTE format('COPY (SELECT 1) TO %L', '${MARK}-' || n); RETURN true; END $$`,
  );
  await admin.query("CREATE DOMAIN public.planted AS int CHECK ((pg_read_file('/etc/hostname'))::int > VALUE)");
  await admin.query("CREATE DOMAIN public.marked AS text CHECK (public.plant(5))");
  await admin.query("CREATE DOMAIN public.marked_too AS public.marked");
  await admin.query("CREATE TYPE public.mood AS ENUM ('calm', 'cross')");
  await admin.query("CREATE FUNCTION public.mood_json(public.mood) RETURNS json VOLATILE LANGUAGE plpgsql AS $$ BEGIN PERFORM public.plant(6); RETURN '1'::json; END $$");
  await admin.query("CREATE CAST (public.mood AS json) WITH FUNCTION public.mood_json(public.mood)");
  await admin.query("CREATE TYPE public.shade AS ENUM ('dark', 'light')");
  await admin.query("CREATE FUNCTION public.shade_cmp(public.shade, public.shade) RETURNS int IMMUTABLE LANGUAGE plpgsql AS $$ BEGIN PERFORM public.plant(7); RETURN enum_cmp($1, $2); END $$");
  await admin.query(
    "CREATE OPERATOR CLASS public.shade_ops DEFAULT FOR TYPE public.shade USING btree AS OPERATOR 1 <(anyenum, anyenum), OPERATOR 2 <=(anyenum, anyenum), OPERATOR 3 =(anyenum, anyenum), OPERATOR 4 >=(anyenum, anyenum), OPERATOR 5 >(anyenum, anyenum), FUNCTION 1 public.shade_cmp(public.shade, public.shade)",
  );
  await admin.query("CREATE FUNCTION pg_catalog.planted_peek() RETURNS bool IMMUTABLE LANGUAGE plpgsql AS $$ BEGIN RETURN public.plant(8); END $$");
  // Foreign tables whose wrapper runs a shell command on every scan: alone, as an inheritance
  // child of a plain table, and as a partition.
  fileFdw = (await admin.query("SELECT 1 FROM pg_available_extensions WHERE name = 'file_fdw'")).rowCount === 1;
  if (fileFdw) {
    await admin.query("CREATE EXTENSION file_fdw");
    await admin.query("CREATE SERVER planted_files FOREIGN DATA WRAPPER file_fdw");
    await admin.query(`CREATE FOREIGN TABLE public.shell (line text) SERVER planted_files OPTIONS (program 'touch ${mark(9)}; echo x')`);
    await admin.query("CREATE TABLE public.shell_parent (line text)");
    await admin.query(`CREATE FOREIGN TABLE public.shell_child () INHERITS (public.shell_parent) SERVER planted_files OPTIONS (program 'touch ${mark(10)}; echo x')`);
    await admin.query("CREATE TABLE public.shell_parted (line text) PARTITION BY LIST (line)");
    await admin.query(`CREATE FOREIGN TABLE public.shell_part PARTITION OF public.shell_parted FOR VALUES IN ('x') SERVER planted_files OPTIONS (program 'touch ${mark(11)}; echo x')`);
  }
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

// Code that would run without a function id in the tree, and the part of the refusal naming why.
const unseenCalls: [string, string][] = [
  ["SELECT 1::planted", "type planted is a domain with constraints"],
  ["SELECT 'x'::marked", "type marked is a domain with constraints"],
  ["SELECT CAST(NULL AS marked)", "type marked is a domain with constraints"],
  ["SELECT ARRAY['x']::marked[]", "type marked is a domain with constraints"],
  ["SELECT 'x'::marked_too", "type marked is a domain with constraints"],
  ["SELECT to_json('calm'::mood)", "type mood has a user-defined cast"],
  ["SELECT json_build_object('k', ARRAY['calm'::mood])", "type mood has a user-defined cast"],
  ["SELECT GREATEST('dark'::shade, 'light'::shade)", "type shade has a user-defined operator class"],
  ["SELECT LEAST('dark'::shade, 'light'::shade)", "type shade has a user-defined operator class"],
  ["SELECT pg_catalog.planted_peek()", "function pg_catalog.planted_peek is not built in"],
  ["SELECT planted_peek()", "function pg_catalog.planted_peek is not built in"],
  ["SELECT * FROM shell", "shell is a foreign table"],
  ["SELECT 1 WHERE EXISTS (SELECT 1 FROM public.shell)", "shell is a foreign table"],
  ["SELECT count(*) FROM shell_parent", "shell_child is a foreign table"],
  ["SELECT * FROM shell_parted", "shell_part is a foreign table"],
];

// Ordinary read-only queries the screen must keep allowing.
const legitimate: string[] = [
  "SELECT model, count(*), sum(prompt_tokens), avg(cost_nanos), min(timestamp), max(timestamp), string_agg(model, ',' ORDER BY model) FROM accounting_entries GROUP BY model HAVING count(*) > 0 ORDER BY 1",
  "SELECT id, row_number() OVER w, rank() OVER w, lag(model) OVER w, sum(prompt_tokens) OVER (ORDER BY timestamp RANGE BETWEEN interval '1 day' PRECEDING AND CURRENT ROW) FROM accounting_entries WINDOW w AS (PARTITION BY model ORDER BY id)",
  "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) CYCLE n SET is_cycle USING path SELECT * FROM r",
  "SELECT a.id, b.model FROM accounting_entries a JOIN accounting_entries b USING (id) LEFT JOIN LATERAL (SELECT 1 AS one) l ON true WHERE a.id IN (1, 2) AND b.model = ANY(ARRAY['m1', 'm2'])",
  "SELECT date_trunc('day', timestamp), extract(epoch FROM timestamp), timestamp::date, to_char(timestamp, 'YYYY-MM'), now() - timestamp, timestamp AT TIME ZONE 'UTC', current_date FROM accounting_entries",
  "SELECT id::text, cost_nanos::numeric(20, 2), '2024-01-01'::timestamptz, '1.5'::float8, model::varchar(3), ARRAY[id]::text[], (id, model) FROM accounting_entries",
  `SELECT '{"a":1}'::json->'a', '{"a":1}'::jsonb->>'a', jsonb_build_object('m', model), to_json(e), row_to_json(e), jsonb_path_query('{"a":1}'::jsonb, '$.a') FROM accounting_entries e`,
  "SELECT json_agg(e), jsonb_agg(e.model) FROM accounting_entries e",
  "SELECT e FROM accounting_entries e",
  "SELECT GREATEST(id, 3), LEAST(model, 'z'), COALESCE(project, model), NULLIF(id, 1), CASE WHEN id > 1 THEN 'x' ELSE 'y' END, id IS DISTINCT FROM 2, (1, 2) < (1, 3) FROM accounting_entries",
  "SELECT DISTINCT ON (model) model, id FROM accounting_entries ORDER BY model, id DESC",
  "SELECT model FROM accounting_entries UNION SELECT 'x' INTERSECT SELECT 'x' EXCEPT SELECT 'y'",
  "SELECT * FROM generate_series(1, 3) WITH ORDINALITY AS g(n, o), unnest(ARRAY['a', 'b']) AS u(s), (VALUES (1, 'a'), (2, 'b')) AS v(x, y)",
  "SELECT (ARRAY[1, 2, 3])[2], (ARRAY[1, 2, 3])[1:2], ('{\"a\":{\"b\":1}}'::jsonb)['a'], substr(model, 1, 1), md5(model), format('%s-%s', id, model) FROM accounting_entries",
  "SELECT model, count(*) FILTER (WHERE id > 0), percentile_cont(0.5) WITHIN GROUP (ORDER BY id), grouping(model) FROM accounting_entries GROUP BY ROLLUP (model)",
  "SELECT * FROM accounting_entries ORDER BY id FETCH FIRST 1 ROWS WITH TIES",
  "SELECT xmlelement(name foo, model), '<a/>'::xml FROM accounting_entries",
  "SELECT current_user, session_user, current_schema, current_catalog",
  "SELECT count(*) FROM pg_tables",
  "SELECT * FROM pg_stat_activity",
  "SELECT * FROM information_schema.tables",
  "SELECT * FROM information_schema.views",
  "SELECT * FROM information_schema.table_constraints",
  "SELECT * FROM information_schema.check_constraints",
  "SELECT * FROM information_schema.schemata",
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

  // Each is refused by the screen itself (not by a server error after the code ran), leaves no
  // marker file, and the planted file content does not leak into the message.
  it.for(unseenCalls)("refuses code the tree does not name, before it runs: %s", async ([sql, why], { skip }) => {
    if (sql.includes("shell") && !fileFdw) return skip();
    const before = await fingerprint();
    const error = await store.readOnlyQuery(sql).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(QueryRejectedError);
    expect(error!.message).toMatch(/^query rejected: /);
    expect(error!.message).toContain(why);
    expect(error!.message).not.toContain(hostname);
    expect(await fingerprint()).toBe(before);
    expect(await leftovers()).toEqual([]);
    for (let i = 1; i <= 11; i++) expect(existsSync(mark(i))).toBe(false);
  });

  it.each(legitimate)("still runs: %s", async (sql) => {
    await expect(store.readOnlyQuery(sql)).resolves.toBeDefined();
  });

  it("fails closed on tree fields, types and relations it cannot check", async () => {
    expect(treeIds("{FUTUREEXPR :futurefuncid 1255 :location 7}").unknownFields).toEqual(["futurefuncid"]);
    // User text escapes its spaces in the tree, so a literal cannot forge or hide a field.
    expect(treeIds("{CONST :consttype 25 :constvalue 12 [ 0 ] :resname a\\ :funcid\\ 1}")).toMatchObject({ functions: [], types: [25], unknownFields: [] });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await expect(screenQueryTree(client, "{FUTUREEXPR :futurefuncid 1255}")).rejects.toThrow("query rejected: cannot check the query tree's field futurefuncid");
      await expect(screenQueryTree(client, "{CONST :consttype 4000000000 :location 7}")).rejects.toThrow("query rejected: cannot check type 4000000000 it uses");
      await expect(screenQueryTree(client, "{RANGETBLENTRY :rtekind 0 :relid 4000000000 :relkind r}")).rejects.toThrow("query rejected: cannot check relation 4000000000 it reads");
    } finally {
      await client.end();
    }
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
    // Just over the 64 MB guard (a 600 MB value fails the same way, but building it can take the
    // server longer than any timeout on a loaded machine); a timeout that never decides the test.
    const error = await store.readOnlyQuery("SELECT repeat('x', 70000000) AS v", { timeoutMs: 600_000 }).then(
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
