import { realpathSync } from "node:fs";
import { createHash } from "node:crypto";
import Database from "better-sqlite3";
import pg from "pg";
import { StoreUnavailableError, ValidationError } from "@llm-accounting/core";
import { libpqSslModes, redactConnectionString } from "../postgresql/connection-string.js";

/** A raw row of a source table. */
export type SourceRow = Record<string, unknown>;

/** Read access to a database written by the Python llm-accounting (0.1.x), SQLite or PostgreSQL. */
export interface PythonSource {
  /** Stable identity of the source, used to key import cursors (path or redacted URL, hashed). */
  readonly fingerprint: string;
  /** For messages. */
  readonly description: string;
  /** The tables present. */
  tables(): Promise<Set<string>>;
  /** Rows with id > `afterId`, by id, at most `limit`. */
  rows(table: string, afterId: number, limit: number): Promise<SourceRow[]>;
  /** How many rows have id > `afterId`. */
  count(table: string, afterId: number): Promise<number>;
  close(): Promise<void>;
}

const fingerprintOf = (identity: string) => createHash("sha256").update(identity).digest("hex").slice(0, 16);
const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Opens a Python llm-accounting SQLite file read-only. */
export function openSqliteSource(file: string): PythonSource {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.prepare("SELECT name FROM sqlite_master LIMIT 1").all();
  } catch (error) {
    throw new ValidationError("fromSqlite", `"${file}" cannot be read as an SQLite database: ${(error as Error).message}`);
  }
  db.defaultSafeIntegers(false);
  const path = realpathSync(file);
  return {
    fingerprint: fingerprintOf(`sqlite:${path}`),
    description: path,
    tables: async () => new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[])),
    rows: async (table, afterId, limit) => db.prepare(`SELECT * FROM ${quote(table)} WHERE id > ? ORDER BY id LIMIT ?`).all(afterId, limit) as SourceRow[],
    count: async (table, afterId) => db.prepare(`SELECT COUNT(*) FROM ${quote(table)} WHERE id > ?`).pluck().get(afterId) as number,
    close: async () => {
      db.close();
    },
  };
}

// The Python schema uses `timestamp without time zone` holding UTC wall-clock times.
const types = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === 1114) return (value: string) => new Date(`${value.replace(" ", "T")}Z`);
    if (oid === 20) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as "text");
  }) as typeof pg.types.getTypeParser,
};

/** Connects to a Python llm-accounting PostgreSQL database. */
export async function openPostgresqlSource(url: string): Promise<PythonSource> {
  // sslmode as libpq reads it, as for the store: no multi-line pg warning before an error.
  const client = new pg.Client({ connectionString: libpqSslModes(url), connectionTimeoutMillis: 5_000, types });
  // A dropped connection surfaces on the next query; without a listener it would crash the process.
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw new StoreUnavailableError(`cannot connect to the source PostgreSQL ${redactConnectionString(url)}: ${(error as Error).message}`, { cause: error });
  }
  return {
    fingerprint: fingerprintOf(`postgresql:${redactConnectionString(url)}`),
    description: redactConnectionString(url),
    tables: async () => new Set((await client.query("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).rows.map((r: { tablename: string }) => r.tablename)),
    rows: async (table, afterId, limit) => (await client.query(`SELECT * FROM ${quote(table)} WHERE id > $1 ORDER BY id LIMIT $2`, [afterId, limit])).rows,
    count: async (table, afterId) => Number((await client.query(`SELECT COUNT(*) AS n FROM ${quote(table)} WHERE id > $1`, [afterId])).rows[0].n),
    close: () => client.end(),
  };
}
