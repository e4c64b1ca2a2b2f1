import type Database from "better-sqlite3";
import type { Migration } from "./migration.js";
import { schemaState, type SchemaState } from "./schema-state.js";

/** Reads (never writes) how an SQLite file relates to this version's migrations. */
export function sqliteSchemaState(db: Database.Database, migrations: readonly Migration[]): SchemaState {
  const hasBookkeeping = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'`).get();
  const tableCount = Number(db.prepare(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).pluck().get());
  const applied = hasBookkeeping
    ? new Set(db.prepare(`SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`).pluck().all() as string[])
    : null;
  return schemaState({ applied, tableCount }, migrations);
}
