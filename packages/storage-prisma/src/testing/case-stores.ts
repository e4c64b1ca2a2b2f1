import { copyFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { PostgresqlStore, type PostgresqlStoreOptions } from "../postgresql/postgresql-store.js";
import { SqliteStore, type SqliteStoreOptions } from "../sqlite/sqlite-store.js";
import { createTestDatabase } from "./test-database.js";

/** New, empty SQLite stores for the contract kit's cases, and the file each one uses. */
export interface SqliteCaseFiles {
  /** A store on a new file: a copy of a migrated, empty template (made once), so no case pays for migrations. */
  create(): Promise<SqliteStore>;
  /** The file of a store `create` made (for the kit's `reopen`). */
  fileOf(store: unknown): string;
}

/** Case stores in `dir`, each opened with `options`; the template is made with the same options. */
export function sqliteCaseFiles(dir: string, name: string, options: Omit<SqliteStoreOptions, "file"> = {}): SqliteCaseFiles {
  const files = new WeakMap<object, string>();
  const template = join(dir, `${name}-template.sqlite`);
  let made: Promise<void> | undefined;
  let count = 0;
  const makeTemplate = async () => {
    const store = new SqliteStore({ ...options, file: template });
    await store.open();
    await store.close();
  };
  return {
    async create() {
      await (made ??= makeTemplate());
      const file = join(dir, `${name}-${++count}.sqlite`);
      copyFileSync(template, file);
      // Closing normally folds the write-ahead log into the file; copy it too in case it did not.
      if (existsSync(`${template}-wal`)) copyFileSync(`${template}-wal`, `${file}-wal`);
      const store = new SqliteStore({ ...options, file });
      files.set(store, file);
      return store;
    },
    fileOf: (store) => files.get(store as object)!,
  };
}

/** One PostgreSQL test database whose tables are emptied between cases. */
export interface ResettableTestDatabase {
  readonly url: string;
  /** A store on the database, emptied first: every table as the migrations left it, ids restarting at 1. */
  create(): Promise<PostgresqlStore>;
  /** Drops the database (for `afterAll`). */
  drop(): Promise<void>;
}

const q = (name: string) => `"${name.replaceAll('"', '""')}"`;
const rank = (table: string, seeded: readonly string[]) => (table === "accounting_entries" ? 0 : seeded.includes(table) ? 2 : 1);

/**
 * A migrated test database for the contract kit, emptied before each case instead of a new
 * database per case (CREATE DATABASE and migrations: about a second each time on a busy machine).
 * Emptying is one round trip of DELETEs: TRUNCATE would be the obvious tool, but it gives every
 * table and index new files, which costs more than deleting the few rows a case writes. Rows the
 * migrations seed (the change counters) are saved once in a schema of their own and put back, and
 * sequences restart at 1. The caller must have closed the previous case's stores.
 */
export async function resettableTestDatabase(options: Omit<PostgresqlStoreOptions, "connectionString"> = {}): Promise<ResettableTestDatabase> {
  const db = await createTestDatabase();
  const migrate = new PostgresqlStore({ ...options, connectionString: db.url });
  await migrate.open();
  await migrate.close();
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  let reset: string;
  try {
    const names = (sql: string) => client.query<{ name: string }>(sql).then((r) => r.rows.map((row) => row.name));
    const tables = await names("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1");
    const sequences = await names("SELECT sequencename AS name FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1");
    const seeded: string[] = [];
    await client.query("CREATE SCHEMA kit_seed");
    for (const table of tables) {
      const { rows } = await client.query(`SELECT EXISTS (SELECT 1 FROM public.${q(table)}) AS some`);
      if (!rows[0].some) continue;
      await client.query(`CREATE TABLE kit_seed.${q(table)} AS TABLE public.${q(table)}`);
      seeded.push(table);
    }
    // Usage rows first (their triggers touch the rollups, emptied next), seeded tables last (the
    // triggers of the others bump the counters they hold).
    const order = [...tables].sort((a, b) => rank(a, seeded) - rank(b, seeded));
    reset = [
      ...order.map((t) => `DELETE FROM public.${q(t)}`),
      ...seeded.map((t) => `INSERT INTO public.${q(t)} OVERRIDING SYSTEM VALUE SELECT * FROM kit_seed.${q(t)}`),
      ...(sequences.length > 0 ? [`SELECT ${sequences.map((s) => `setval('public.${q(s)}', 1, false)`).join(", ")}`] : []),
    ].join(";\n");
  } finally {
    await client.end();
  }
  return {
    url: db.url,
    async create() {
      const admin = new pg.Client({ connectionString: db.url });
      await admin.connect();
      try {
        await admin.query(reset);
      } finally {
        await admin.end();
      }
      return new PostgresqlStore({ ...options, connectionString: db.url });
    },
    drop: db.drop,
  };
}
