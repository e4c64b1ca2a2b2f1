// Child process of usage-buffer.test.ts: tracks calls through a UsageBuffer over a SQLite file
// and never closes it, so only the buffer's exit hooks can store them.
//   signal <file>: queues 5,000 at once, prints "ready", then 500 more per turn up to 10,000,
//                  then idles until killed. After each step it prints "queued <total>".
//   natural <file>: queues 4,100 and returns; the process must end on its own with them stored.
//   locked <file>: another connection holds the write lock for good; queues 1,500, prints "ready"
//                  and idles. On SIGTERM the exit flush cannot write: after exitTimeoutMs the
//                  buffer reports what it gives up ("abandoned <n>") and the process dies anyway.
import Database from "better-sqlite3";
import { Accounting, UsageBuffer } from "@llm-accounting/core";
import { SqliteStore } from "../src/index.js";

const [mode, file] = process.argv.slice(2);
if (!file || (mode !== "signal" && mode !== "natural" && mode !== "locked")) throw new Error("usage: usage-buffer-worker.ts signal|natural|locked <file>");

const accounting = new Accounting({ store: new SqliteStore({ file, busyTimeoutMs: 20 }), appName: "worker" });
await accounting.open();
const buffer = new UsageBuffer(accounting, {
  flushIntervalMs: 60_000,
  // Short only where the flush can never succeed; elsewhere a slow CI machine must not abandon rows.
  exitTimeoutMs: mode === "locked" ? 300 : 60_000,
  retryBaseMs: 10,
  onError: (event) => {
    if (event.stage === "exit") console.log(`abandoned ${event.records.length}`);
  },
});
let queued = 0;

async function track(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    queued++;
    await buffer.trackUsage({ model: "worker", promptTokens: queued, completionTokens: 1 });
  }
  console.log(`queued ${queued}`);
}

if (mode === "natural") {
  await track(4_100); // not a multiple of batchSize: the last 100 wait for the exit flush
} else if (mode === "locked") {
  // Kept referenced: a collected connection would close and release the lock.
  const locker = new Database(file);
  locker.exec("BEGIN EXCLUSIVE");
  await track(1_500);
  console.log("ready");
  setInterval(() => locker.inTransaction, 60_000);
} else {
  await track(5_000);
  console.log("ready");
  const more = (): void => {
    if (queued >= 10_000) return;
    void track(500).then(() => setImmediate(more));
  };
  setImmediate(more);
  setInterval(() => undefined, 60_000);
}
