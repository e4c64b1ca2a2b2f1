import type Database from "better-sqlite3";
import { QueryRejectedError, type QueryRowSink, type QueryStreamSummary } from "@llm-accounting/core";
import { prepareSelect, rowBatches } from "./read-only-statement.js";

/**
 * Streams a query on a connection of this process: how an in-memory database, which lives in
 * this process only, is queried (a file is queried from a child process). No timeout applies.
 */
export async function streamInProcess(reader: Database.Database, sql: string, sink: QueryRowSink, maxRows = Number.POSITIVE_INFINITY): Promise<QueryStreamSummary> {
  const prepared = prepareSelect(reader, sql);
  if (!prepared.ok) throw new QueryRejectedError(prepared.reason);
  await sink.columns(prepared.columns);
  let delivered = 0;
  const limit = maxRows === Number.POSITIVE_INFINITY ? Number.MAX_SAFE_INTEGER : maxRows + 1;
  const rows = prepared.statement.iterate() as Iterator<unknown[]>;
  try {
    for (const batch of rowBatches(rows, limit)) {
      const room = maxRows - delivered;
      const taken = batch.length > room ? batch.slice(0, room) : batch;
      if (taken.length > 0) await sink.rows(taken);
      delivered += taken.length;
      if (batch.length > room) return { rowCount: delivered, truncated: true };
    }
  } catch (error) {
    throw error instanceof QueryRejectedError ? error : new QueryRejectedError((error as Error).message, { cause: error });
  } finally {
    rows.return?.();
  }
  return { rowCount: delivered, truncated: false };
}
