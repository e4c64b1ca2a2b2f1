import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type Database from "better-sqlite3";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { StoreUnavailableError, ValidationError } from "@llm-accounting/core";
import type { PrismaClient } from "../generated/sqlite/client.js";
import { sqliteMigrations } from "../generated/migrations.js";
import { migrateSqlite } from "../migrate/sqlite-migrator.js";
import { sqliteSchemaState } from "../migrate/sqlite-schema-check.js";
import { schemaRefusal } from "../migrate/schema-state.js";
import type { SqliteLocation } from "./sqlite-path.js";
import type { SqliteStoreOptions } from "./sqlite-options.js";
import { StatementCache } from "./statement-cache.js";

type Adapter = Awaited<ReturnType<PrismaBetterSqlite3["connect"]>>;

/** An open SQLite database: the connection Prisma's adapter opened, and the statements prepared on it. */
export interface SqliteConnection {
  readonly db: Database.Database;
  readonly statements: StatementCache;
  readonly readOnly: boolean;
  readonly adapter: Adapter;
  readonly factory: PrismaBetterSqlite3;
}

/**
 * Opens the database through Prisma's better-sqlite3 adapter (one connection, one lock, shared
 * with the Prisma client when one is made), sets its pragmas and migrates it, then hands it to
 * `build`; a read-only opening refuses a file that is not this version's llm-accounting
 * database. Whatever fails closes the connection again.
 */
export async function openSqlite<T>(location: SqliteLocation, options: SqliteStoreOptions, build: (connection: SqliteConnection) => T): Promise<T> {
  const url = location.kind === "memory" ? ":memory:" : location.path;
  const readOnly = options.readOnly === true && location.kind === "file";
  if (location.kind === "file") {
    if ((readOnly || options.mustExist) && !existsSync(location.path)) {
      throw new ValidationError("dbFile", `"${location.path}" does not exist: nothing has been recorded there (check the path, or record a call first)`);
    }
    if (!readOnly) {
      try {
        mkdirSync(dirname(location.path), { recursive: true });
      } catch (error) {
        throw new StoreUnavailableError(`cannot create the directory for ${location.path}: ${(error as Error).message}`, { cause: error });
      }
    }
  }
  const factory = new PrismaBetterSqlite3({ url, timeout: options.busyTimeoutMs ?? 10_000, ...(readOnly ? { readonly: true, fileMustExist: true } : {}) });
  let adapter: Adapter | undefined;
  try {
    adapter = await factory.connect();
    const db = (adapter as unknown as { client?: Database.Database }).client;
    if (!db) throw new Error("the Prisma adapter did not expose its connection");
    if (readOnly) {
      db.pragma("query_only = ON");
      refuseUnlessCurrent(db, location);
    } else {
      db.pragma("journal_mode = WAL");
      db.pragma(`synchronous = ${options.durability === "full" ? "FULL" : "NORMAL"}`);
      // Checkpoint every 16 MB of WAL, not SQLite's 4 MB: a single-row commit dirties ~8 pages, so
      // the default copied the WAL back and synced every ~125 commits (measured at 1M rows: a
      // commit took 93 µs with the default, 80 µs with this).
      db.pragma("wal_autocheckpoint = 4000");
      db.pragma("foreign_keys = ON");
      migrateSqlite(db, sqliteMigrations);
    }
    return build({ db, statements: new StatementCache(db), readOnly, adapter, factory });
  } catch (error) {
    await adapter?.dispose().catch(() => undefined);
    if (error instanceof ValidationError || error instanceof StoreUnavailableError) throw error;
    throw new StoreUnavailableError(`cannot open SQLite database ${url}: ${(error as Error).message}`, { cause: error });
  }
}

/** Read-only opening: refuses another application's file, or ours before this version's migrations. */
function refuseUnlessCurrent(db: Database.Database, location: SqliteLocation): void {
  const refusal = schemaRefusal(sqliteSchemaState(db, sqliteMigrations), location.kind === "file" ? `"${location.path}"` : ":memory:");
  if (refusal?.foreign) throw new ValidationError("dbFile", refusal.message);
  if (refusal) throw new StoreUnavailableError(refusal.message);
}

/** A Prisma client over the connection's own adapter: one connection, one lock. */
export async function prismaOver(connection: SqliteConnection): Promise<PrismaClient> {
  // Loaded on first use: the client brings a WebAssembly query compiler that one-shot commands never need.
  const { PrismaClient } = await import("../generated/sqlite/client.js");
  const { adapter, factory } = connection;
  const client = new PrismaClient({
    adapter: { provider: factory.provider, adapterName: factory.adapterName, connect: async () => adapter, connectToShadowDb: () => factory.connectToShadowDb() },
  });
  await client.$connect();
  return client;
}
