import type Database from "better-sqlite3";
import type { QueryValue } from "@llm-accounting/core";

// Largest row a select may return, as on PostgreSQL: a row must fit in one message and in memory.
export const MAX_ROW_BYTES = 64 * 1024 * 1024;
const MAX_BATCH_ROWS = 1_000;
// A batch's rows are held in memory until the reader takes them: aim for about this many bytes.
const TARGET_BATCH_BYTES = 4 * 1024 * 1024;

/** A reason a statement may not run in `select`, or its prepared form. Plain data: it crosses processes. */
export type PreparedSelect = { readonly ok: true; readonly statement: Database.Statement; readonly columns: string[] } | { readonly ok: false; readonly reason: string };

/**
 * Prepares one statement on a read-only, query_only connection (the connection refuses writes by
 * itself; these checks give the clear reason first). Rows come back as arrays, exact integers
 * beyond 2^53 as bigint.
 */
export function prepareSelect(db: Database.Database, sql: string): PreparedSelect {
  let statement: Database.Statement;
  try {
    statement = db.prepare(sql);
  } catch (error) {
    return { ok: false, reason: `query rejected: ${(error as Error).message}` };
  }
  if (!statement.reader) return { ok: false, reason: "query rejected: only statements that return rows (SELECT) are allowed" };
  if (!statement.readonly) return { ok: false, reason: "query rejected: the statement would write to the database" };
  return { ok: true, statement: statement.raw(true).safeIntegers(true), columns: statement.columns().map((c) => c.name) };
}

/** Reads rows in batches of about TARGET_BATCH_BYTES (at most `limit` rows in all); throws a one-line reason. */
export function* rowBatches(rows: Iterator<unknown[]>, limit: number): Generator<QueryValue[][]> {
  let left = limit;
  while (left > 0) {
    const batch: QueryValue[][] = [];
    let bytes = 0;
    while (left > 0 && batch.length < MAX_BATCH_ROWS && bytes < TARGET_BATCH_BYTES) {
      let next: IteratorResult<unknown[]>;
      try {
        next = rows.next();
      } catch (error) {
        throw new Error(describeSqliteError(error));
      }
      if (next.done) {
        if (batch.length > 0) yield batch;
        return;
      }
      const row = next.value.map(toQueryValue);
      const size = rowBytes(row);
      if (size > MAX_ROW_BYTES) throw new Error(`query failed: a row is too large to read (${size} bytes; the most is ${MAX_ROW_BYTES / 1024 / 1024} MB): select a part of it, e.g. with substr()`);
      bytes += size;
      batch.push(row);
      left -= 1;
    }
    yield batch;
  }
}

function toQueryValue(value: unknown): QueryValue {
  if (typeof value === "bigint") return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  return value as QueryValue;
}

function rowBytes(row: readonly QueryValue[]): number {
  let bytes = 0;
  for (const value of row) bytes += typeof value === "string" ? value.length : value instanceof Uint8Array ? value.length : 8;
  return bytes;
}

function describeSqliteError(error: unknown): string {
  const message = (error as Error).message ?? String(error);
  if (/Invalid string length|string longer than|too big|Array buffer allocation failed/i.test(message)) {
    return "query failed: a value is too large to read: select a part of it, e.g. with substr()";
  }
  return `query failed: ${message.split("\n")[0]}`;
}
