import type Database from "better-sqlite3";
import type { Migration } from "./migration.js";

/** How an existing SQLite file relates to this version's migrations. */
export type SqliteSchemaState =
  | { readonly kind: "current" }
  | { readonly kind: "foreign"; readonly reason: string }
  | { readonly kind: "outdated"; readonly missing: readonly string[] };

/**
 * Reads (never writes) what the file holds: ours and up to date, ours but written by an older
 * version, or somebody else's database. A file is ours when Prisma's bookkeeping lists our first
 * migration: another Prisma application has the bookkeeping table too, with other names in it.
 */
export function sqliteSchemaState(db: Database.Database, migrations: readonly Migration[]): SqliteSchemaState {
  const hasBookkeeping = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'`).get();
  if (!hasBookkeeping) {
    const tables = Number(db.prepare(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).pluck().get());
    return { kind: "foreign", reason: tables === 0 ? "it holds no tables" : `it holds ${tables} other table${tables === 1 ? "" : "s"} and none of ours` };
  }
  const applied = new Set(
    db.prepare(`SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`).pluck().all() as string[],
  );
  const first = migrations[0];
  if (first && !applied.has(first.name)) return { kind: "foreign", reason: "its migrations are another application's" };
  const missing = migrations.filter((m) => !applied.has(m.name)).map((m) => m.name);
  return missing.length === 0 ? { kind: "current" } : { kind: "outdated", missing };
}
