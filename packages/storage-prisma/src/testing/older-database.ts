import Database from "better-sqlite3";
import { sqliteMigrations } from "../generated/migrations.js";
import { migrateSqlite } from "../migrate/sqlite-migrator.js";

/**
 * Creates a SQLite database file as an older llm-accounting left it: every migration applied but
 * the newest `missing` (a real older schema, unlike a bookkeeping row deleted afterwards, which
 * would replay a migration over its own effects). Returns the names of the migrations left out.
 */
export function olderSqliteDatabase(file: string, missing = 1): string[] {
  const db = new Database(file);
  try {
    db.pragma("journal_mode = WAL");
    migrateSqlite(db, sqliteMigrations.slice(0, sqliteMigrations.length - missing));
  } finally {
    db.close();
  }
  return sqliteMigrations.slice(sqliteMigrations.length - missing).map((m) => m.name);
}
