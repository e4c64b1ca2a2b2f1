import { randomUUID } from "node:crypto";
import pg from "pg";
import type { Migration } from "./migration.js";

const CREATE_BOOKKEEPING = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

// Any constant works; it only has to be the same in every process migrating this database.
const MIGRATION_LOCK_KEY = 7_236_401_871;

/**
 * Applies pending migrations in one transaction under a transaction-scoped advisory lock, so
 * processes opening a new database together apply each migration once. Uses the plain `pg`
 * driver because migration files hold several statements, which prepared queries refuse.
 */
export async function migratePostgresql(connectionString: string, schema: string | undefined, migrations: readonly Migration[]): Promise<number> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    if (schema) await client.query(`SET search_path TO ${quoteIdent(schema)}`);
    return await migratePostgresqlOn(client, schema, migrations);
  } finally {
    await client.end();
  }
}

/**
 * The same on a connection the caller holds (a store's first pooled one, so opening connects
 * once); `schema`, when given, must already be on its search path.
 */
export async function migratePostgresqlOn(client: pg.ClientBase, schema: string | undefined, migrations: readonly Migration[]): Promise<number> {
  if ((await pending(client, migrations)).length === 0) return 0;
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
    if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await client.query(CREATE_BOOKKEEPING);
    const todo = await pending(client, migrations);
    for (const migration of todo) {
      const startedAt = new Date();
      await client.query(migration.sql);
      await client.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES ($1, $2, now(), $3, $4, 1)`,
        [randomUUID(), migration.checksum, migration.name, startedAt],
      );
    }
    await client.query("COMMIT");
    return todo.length;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

async function pending(client: pg.ClientBase, migrations: readonly Migration[]): Promise<Migration[]> {
  const exists = await client.query(`SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS present`);
  if (!exists.rows[0]?.present) return [...migrations];
  const applied = await client.query(`SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`);
  const names = new Set(applied.rows.map((r: { migration_name: string }) => r.migration_name));
  return migrations.filter((m) => !names.has(m.name));
}

/** Quotes a PostgreSQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
