// The writer thread of SqliteStore: its own connection to the same database file, writing the
// batches the store posts, one at a time, in arrival order. Replies { id, error? } per batch.
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import { SqliteBatchWriter } from "./batch-writer.js";
import { batchLayout } from "./batch-layout.js";
import type { EncodedBatch } from "./batch-encoding.js";
import type { BatchThreadOptions, BatchReply } from "./batch-thread-client.js";

const options = workerData as BatchThreadOptions;
const db = new Database(options.file, { timeout: options.busyTimeoutMs, fileMustExist: true });
db.pragma("journal_mode = WAL");
db.pragma(`synchronous = ${options.durability === "full" ? "FULL" : "NORMAL"}`);
db.pragma("wal_autocheckpoint = 4000"); // as the store's own connection (see sqlite-store.ts)
db.pragma("foreign_keys = ON");
// The usage columns come from the store's thread (core's table): this thread does not load core.
const writer = new SqliteBatchWriter(db, batchLayout(options.columns));

parentPort!.postMessage({ id: 0 } satisfies BatchReply);
parentPort!.on("message", (message: { id: number; batch: EncodedBatch }) => {
  let reply: BatchReply;
  try {
    writer.writeEncoded(message.batch, { key: options.receiptKey, id: message.id });
    reply = { id: message.id };
  } catch (error) {
    const e = error as Error & { code?: unknown };
    reply = { id: message.id, error: { name: e.name, message: e.message, code: typeof e.code === "string" ? e.code : undefined } };
  }
  parentPort!.postMessage(reply);
});
