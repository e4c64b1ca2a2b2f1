import { randomUUID } from "node:crypto";
import { StoreUnavailableError, USAGE_RECORD_COLUMNS, type NewUsageRecord } from "@llm-accounting/core";
import { BatchWriterThread, WriterThreadDiedError, WriterThreadUnavailableError } from "./batch-thread-client.js";
import type { SqliteLocation } from "./sqlite-path.js";
import type { SqliteStoreOptions } from "./sqlite-options.js";
import { readCounter, SQL } from "./sqlite-statements.js";
import type { SqliteWrites } from "./sqlite-writes.js";
import type { StatementCache } from "./statement-cache.js";

/**
 * Where the SQLite store writes batches: on a worker thread with its own connection when the
 * database is a file and the options allow it, inline on the store's connection otherwise. Lives
 * as long as the store (a thread that cannot start is not tried again after a reopen).
 */
export class SqliteBatches {
  readonly #location: SqliteLocation;
  readonly #options: SqliteStoreOptions;
  readonly #statements: () => StatementCache | undefined;
  #thread: BatchWriterThread | undefined;
  #threadUnavailable = false;

  /** `statements` gives the store's open connection's statements (undefined once it is closed). */
  constructor(location: SqliteLocation, options: SqliteStoreOptions, statements: () => StatementCache | undefined) {
    this.#location = location;
    this.#options = options;
    this.#statements = statements;
  }

  /** Writes a batch and raises its alerts (after the thread's commit, or in the inline transaction). */
  async write(writes: SqliteWrites, records: readonly NewUsageRecord[]): Promise<void> {
    if (this.#location.kind === "file" && this.#options.writerThread !== false && !this.#threadUnavailable) {
      this.#thread ??= new BatchWriterThread({
        file: this.#location.path,
        receiptKey: `writer_receipt:${randomUUID()}`,
        busyTimeoutMs: this.#options.busyTimeoutMs ?? 10_000,
        durability: this.#options.durability ?? "normal",
        columns: USAGE_RECORD_COLUMNS,
      });
      try {
        await this.#thread.write(records);
        // The thread has its own connection and does not load core: the batch's alerts are
        // checked here, once per batch, in a transaction right after the batch's commit.
        writes.raiseAfterBatch(records);
        return;
      } catch (error) {
        if (error instanceof WriterThreadDiedError) {
          // Committed just before the thread died: acknowledged, not written again by a retry.
          const statements = this.#statements();
          if (statements && readCounter(statements, error.receiptKey) >= error.batchId) return;
          throw new StoreUnavailableError(error.message, { cause: error });
        }
        if (!(error instanceof WriterThreadUnavailableError)) throw error;
        // A thread that cannot start (a bundle without batch-thread.js, no threads allowed) wrote
        // nothing: write inline from now on rather than fail every batch.
        this.#threadUnavailable = true;
      }
    }
    writes.insertBatch(records);
  }

  /** Stops the writer thread (and one a batch started meanwhile), dropping its receipts while the connection is open. */
  async close(): Promise<void> {
    while (this.#thread) {
      const thread = this.#thread;
      this.#thread = undefined;
      await thread.close();
      // Its receipts only matter while it might die with a batch in flight.
      this.#statements()?.get(SQL.deleteCounter).run(thread.receiptKey);
    }
  }
}
