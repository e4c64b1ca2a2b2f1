import { randomUUID } from "node:crypto";
import type Database from "better-sqlite3";
import type { Migration } from "./migration.js";

const CREATE_BOOKKEEPING = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "checksum" TEXT NOT NULL,
  "finished_at" DATETIME,
  "migration_name" TEXT NOT NULL,
  "logs" TEXT,
  "rolled_back_at" DATETIME,
  "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
  "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

/**
 * Applies pending migrations, keeping Prisma's `_prisma_migrations` bookkeeping so
 * `prisma migrate status` agrees. Runs under `BEGIN IMMEDIATE`, so processes opening a new file
 * together apply each migration once; an up-to-date database costs one small read.
 */
export function migrateSqlite(db: Database.Database, migrations: readonly Migration[]): number {
  if (pendingSqlite(db, migrations).length === 0) return 0;
  const apply = db.transaction(() => {
    db.exec(CREATE_BOOKKEEPING);
    const pending = pendingSqlite(db, migrations);
    for (const migration of pending) {
      const startedAt = new Date().toISOString();
      db.exec(migration.sql);
      db.prepare(
        `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, ?, ?, 1)`,
      ).run(randomUUID(), migration.checksum, new Date().toISOString(), migration.name, startedAt);
    }
    return pending.length;
  });
  return apply.immediate();
}

function pendingSqlite(db: Database.Database, migrations: readonly Migration[]): Migration[] {
  const hasTable = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'`).get();
  if (!hasTable) return [...migrations];
  const applied = new Set(
    (db.prepare(`SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`).pluck().all() as string[]),
  );
  return migrations.filter((m) => !applied.has(m.name));
}
