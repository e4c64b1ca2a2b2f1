import { fork, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { DEFAULT_QUERY_TIMEOUT_MS, QueryRejectedError, type QueryRowSink, type QueryStreamOptions, type QueryStreamSummary, type QueryValue } from "@llm-accounting/core";

/** What the parent asks the query process to run. */
export interface QueryChildRequest {
  readonly file: string;
  readonly sql: string;
  /** Most rows to read (the caller's maxRows plus one, to tell whether more existed). */
  readonly limit: number;
}

/** What the query process answers. */
export type QueryChildReply =
  | { readonly type: "columns"; readonly columns: string[] }
  | { readonly type: "rows"; readonly rows: QueryValue[][] }
  | { readonly type: "end" }
  | { readonly type: "error"; readonly message: string };

// Built code runs dist/sqlite/query-child.js beside this file; tests run this file from src/,
// where no .js exists, and use the build of the same source (as the writer thread does).
function childScript(): string {
  const beside = fileURLToPath(new URL("./query-child.js", import.meta.url));
  if (existsSync(beside)) return beside;
  return fileURLToPath(new URL("../../dist/sqlite/query-child.js", import.meta.url));
}

/**
 * Runs a read-only query on a SQLite file in a child process and streams its rows to `sink`. Each
 * step (prepare, then every batch of rows) must answer within the timeout, else the process is
 * killed, which stops even a statement stuck inside SQLite, and the query fails with one line.
 */
export async function streamSqliteQueryInChild(file: string, sql: string, sink: QueryRowSink, options: QueryStreamOptions = {}): Promise<QueryStreamSummary> {
  const timeoutMs = Math.max(1, options.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS);
  const maxRows = options.maxRows ?? Number.POSITIVE_INFINITY;
  // execArgv [] : the parent's loaders and flags (a test runner's, --inspect) are not for this script.
  const child = fork(childScript(), [], { serialization: "advanced", execArgv: [], stdio: ["ignore", "ignore", "pipe", "ipc"] });
  const replies = new ChildReplies(child, timeoutMs);
  try {
    child.send({ file, sql, limit: maxRows === Number.POSITIVE_INFINITY ? Number.MAX_SAFE_INTEGER : maxRows + 1 } satisfies QueryChildRequest);
    const first = await replies.next();
    if (first.type !== "columns") throw unexpected(first);
    await sink.columns(first.columns);
    let delivered = 0;
    for (;;) {
      child.send("next");
      const reply = await replies.next();
      if (reply.type === "end") return { rowCount: delivered, truncated: false };
      if (reply.type !== "rows") throw unexpected(reply);
      const room = maxRows - delivered;
      const batch = reply.rows.length > room ? reply.rows.slice(0, room) : reply.rows;
      if (batch.length > 0) await sink.rows(batch);
      delivered += batch.length;
      if (reply.rows.length > room) return { rowCount: delivered, truncated: true };
    }
  } finally {
    replies.stop();
    child.kill("SIGKILL");
  }
}

function unexpected(reply: QueryChildReply): QueryRejectedError {
  return new QueryRejectedError(reply.type === "error" ? reply.message : `query failed: unexpected reply "${reply.type}" from the query process`);
}

interface Waiter {
  resolve(reply: QueryChildReply): void;
  reject(error: Error): void;
}

/** The child's replies in order, each awaited with the step timeout; a dead child fails the wait. */
class ChildReplies {
  readonly #queue: QueryChildReply[] = [];
  #waiter: Waiter | undefined;
  #failure: Error | undefined;
  #stderr = "";
  readonly #child: ChildProcess;
  readonly #timeoutMs: number;

  constructor(child: ChildProcess, timeoutMs: number) {
    this.#child = child;
    this.#timeoutMs = timeoutMs;
    child.on("message", (reply: QueryChildReply) => {
      if (this.#waiter) this.#settle((w) => w.resolve(reply));
      else this.#queue.push(reply);
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-4_000);
    });
    child.on("error", (error) => this.#fail(new QueryRejectedError(`query failed: cannot start the query process: ${error.message}`, { cause: error })));
    child.on("exit", (code, signal) => {
      // A child killed for heap exhaustion says so on stderr; that is the only likely cause.
      const reason = /heap out of memory|Allocation failed/i.test(this.#stderr) ? "a value or row too large for memory" : `exit ${signal ?? code}`;
      this.#fail(new QueryRejectedError(`query failed: the query process ended (${reason})`));
    });
  }

  /** The next reply, or a QueryRejectedError when the step outlasts the timeout or the child dies. */
  next(): Promise<QueryChildReply> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#child.kill("SIGKILL");
        this.#settle((w) => w.reject(new QueryRejectedError(`query failed: statement timeout: no result within ${this.#timeoutMs / 1000} s`)));
      }, this.#timeoutMs);
      this.#waiter = {
        resolve: (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
  }

  /** Stops listening: later messages and the exit are no longer reported. */
  stop(): void {
    this.#child.removeAllListeners("message");
    this.#child.removeAllListeners("exit");
    this.#child.on("error", () => undefined);
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    if (this.#waiter) this.#settle((w) => w.reject(error));
  }

  #settle(action: (waiter: Waiter) => void): void {
    const waiter = this.#waiter!;
    this.#waiter = undefined;
    action(waiter);
  }
}
