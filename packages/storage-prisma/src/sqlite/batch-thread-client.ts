import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { NewUsageRecord } from "@llm-accounting/core";
import { encodeBatch } from "./batch-encoding.js";
import { batchLayout, type BatchColumn, type BatchLayout } from "./batch-layout.js";

/** What the writer thread needs to open its connection. */
export interface BatchThreadOptions {
  readonly file: string;
  /** store_counters key under which the thread records the id of each batch it commits. */
  readonly receiptKey: string;
  readonly busyTimeoutMs: number;
  readonly durability: "normal" | "full";
  /** The usage columns (core's USAGE_RECORD_COLUMNS): both threads lay batches out by them. */
  readonly columns: readonly BatchColumn[];
}

/** The thread's answer to one batch: no error means committed. */
export interface BatchReply {
  /** 0 once: the thread has opened the database and takes batches. */
  readonly id: number;
  readonly error?: { readonly name: string; readonly message: string; readonly code: string | undefined };
}

interface Pending {
  readonly id: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** The writer thread could not start (nothing was written): the store then writes batches inline. */
export class WriterThreadUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "WriterThreadUnavailableError";
  }
}

/**
 * The thread died with this batch in flight: it may have committed it just before. Whether it did
 * is in store_counters[receiptKey] (the id of the last batch it committed).
 */
export class WriterThreadDiedError extends Error {
  readonly receiptKey: string;
  readonly batchId: number;
  constructor(message: string, receiptKey: string, batchId: number, options?: ErrorOptions) {
    super(message, options);
    this.name = "WriterThreadDiedError";
    this.receiptKey = receiptKey;
    this.batchId = batchId;
  }
}

/** A database error from the thread, with the message and SQLite code it had there. */
export class BatchWriteError extends Error {
  readonly code: string | undefined;
  constructor(name: string, message: string, code: string | undefined) {
    super(message);
    this.name = name;
    this.code = code;
  }
}

// Built code runs dist/sqlite/batch-thread.js beside this file. Tests run this file from src/
// (TypeScript, through vitest), where no .js exists; they use the build of the same source,
// which the test task always builds first.
function threadScript(): URL {
  const beside = new URL("./batch-thread.js", import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  return new URL("../../dist/sqlite/batch-thread.js", import.meta.url);
}

/**
 * Writes usage batches on a worker thread with its own connection, so the SQLite work of a batch
 * (binding, B-trees, rollups, commit) runs beside the application instead of inside its event
 * loop. Started on the first batch; keeps the process alive only while a batch is in flight.
 */
export class BatchWriterThread {
  readonly #options: BatchThreadOptions;
  readonly #layout: BatchLayout;
  #worker: Worker | undefined;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #onIdle: (() => void) | undefined;

  readonly #script: URL;

  /** The store_counters key of this thread's batch receipts. */
  get receiptKey(): string {
    return this.#options.receiptKey;
  }

  /** `script` is for tests; the default is the built batch-thread.js. */
  constructor(options: BatchThreadOptions, script: URL = threadScript()) {
    this.#options = options;
    this.#layout = batchLayout(options.columns);
    this.#script = script;
  }

  /**
   * Resolves once the batch is committed. Rejects with the database's error (nothing of the batch
   * stored), `WriterThreadUnavailableError` if the thread could not start (nothing stored), or
   * `WriterThreadDiedError` if the thread died while the batch was in flight (its receipt tells
   * whether it was committed just before).
   */
  write(records: readonly NewUsageRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const { batch, transfer } = encodeBatch(records, this.#layout);
    const worker = this.#started();
    const id = this.#nextId++;
    const done = new Promise<void>((resolve, reject) => this.#pending.set(id, { id, resolve, reject }));
    worker.postMessage({ id, batch }, transfer);
    worker.ref();
    return done;
  }

  /** Waits for batches in flight, then stops the thread. */
  async close(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    if (this.#pending.size > 0) await new Promise<void>((resolve) => (this.#onIdle = resolve));
    this.#worker = undefined;
    await worker.terminate();
  }

  #settled(worker: Worker): void {
    if (this.#pending.size > 0) return;
    worker.unref();
    this.#onIdle?.();
    this.#onIdle = undefined;
  }

  #started(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(this.#script, { workerData: this.#options });
    worker.unref();
    let ready = false;
    worker.on("message", (reply: BatchReply) => {
      if (reply.id === 0) {
        ready = true;
        return;
      }
      const pending = this.#pending.get(reply.id);
      if (!pending) return;
      this.#pending.delete(reply.id);
      this.#settled(worker);
      if (reply.error) pending.reject(new BatchWriteError(reply.error.name, reply.error.message, reply.error.code));
      else pending.resolve();
    });
    const fail = (error: Error) => {
      if (this.#worker === worker) this.#worker = undefined;
      const pending = [...this.#pending.values()];
      this.#pending.clear();
      // Batches are taken only after "ready", so a thread that never got there wrote nothing.
      for (const p of pending) {
        p.reject(
          ready
            ? new WriterThreadDiedError(`the SQLite writer thread stopped: ${error.message}`, this.#options.receiptKey, p.id, { cause: error })
            : new WriterThreadUnavailableError(`the SQLite writer thread did not start: ${error.message}`, { cause: error }),
        );
      }
      this.#settled(worker);
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`exit code ${code}`)));
    this.#worker = worker;
    return worker;
  }
}
