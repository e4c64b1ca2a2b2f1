// The process a SQLite `select` runs in, so a query that outlasts its timeout can be stopped:
// better-sqlite3 cannot interrupt a running statement, but the parent can kill this process.
// Protocol (IPC, advanced serialization): the parent sends a QueryChildRequest, the child answers
// "columns" or "error"; then each "next" from the parent gets one "rows", "end" or "error".
import { Worker } from "node:worker_threads";
import Database from "better-sqlite3";
import { prepareSelect, rowBatches } from "./read-only-statement.js";
import type { QueryChildReply, QueryChildRequest } from "./query-child-client.js";

const send = (reply: QueryChildReply) => process.send!(reply);

// If the parent dies (kill -9), nobody would stop a runaway statement, and this thread is stuck
// inside SQLite: a watchdog thread ends the process once it has been handed to another parent.
new Worker(
  `const { workerData } = require("node:worker_threads");
   setInterval(() => { if (process.ppid !== workerData) process.kill(process.pid, "SIGKILL"); }, 500);`,
  { eval: true, workerData: process.ppid },
).unref();

process.once("message", (request: QueryChildRequest) => {
  let batches: Generator<unknown[][]>;
  try {
    const db = new Database(request.file, { readonly: true, fileMustExist: true });
    db.pragma("query_only = ON");
    const prepared = prepareSelect(db, request.sql);
    if (!prepared.ok) return send({ type: "error", message: prepared.reason });
    batches = rowBatches(prepared.statement.iterate() as Iterator<unknown[]>, request.limit);
    send({ type: "columns", columns: prepared.columns });
  } catch (error) {
    return send({ type: "error", message: `query failed: ${((error as Error).message ?? String(error)).split("\n")[0]}` });
  }
  process.on("message", () => {
    try {
      const next = batches.next();
      send(next.done ? { type: "end" } : { type: "rows", rows: next.value as QueryChildRows });
    } catch (error) {
      send({ type: "error", message: (error as Error).message });
    }
  });
});

type QueryChildRows = Extract<QueryChildReply, { type: "rows" }>["rows"];
