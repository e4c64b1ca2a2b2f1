// Child process of usage-buffer.test.ts: tracks calls through a UsageBuffer over a SQLite file
// and never closes it, so only the buffer's exit hooks can store them.
//   signal <file>: queues 5,000 at once, prints "ready", then 500 more per turn up to 10,000,
//                  then idles until killed. After each step it prints "queued <total>".
//   natural <file>: queues 4,100 and returns; the process must end on its own with them stored.
//   locked <file>: another connection holds the write lock for good; queues 1,500, prints "ready"
//                  and idles. On SIGTERM the exit flush cannot write: after exitTimeoutMs the
//                  buffer reports what it gives up ("abandoned <n>") and the process dies anyway.
//   signal-exit <file> <dir>: loads the signal-exit package at <dir> (version 3 or 4) with an exit
//                  handler that prints "signal-exit handler <signal>"; queues 3,000, prints "ready", idles.
//   signal-exit-late <file> <dir>: the same, but signal-exit is loaded after the buffer exists (as
//                  Ink or execa load it on first use).
//   listener <file>: has its own SIGTERM listener that only prints "app handler" (so the process
//                  keeps running, as it would without the buffer); queues 3,000, prints "ready". Once
//                  the buffer holds nothing after the signal it prints "drained", then "alive" forever.
//   close-then-exit <file>: its SIGTERM listener awaits buffer.close(), prints "closed" and exits 0.
import { createRequire } from "node:module";
import Database from "better-sqlite3";
import { Accounting, UsageBuffer } from "@llm-accounting/core";
import { SqliteStore } from "../src/index.js";

const [mode, file, signalExitDir] = process.argv.slice(2);
const MODES = ["signal", "natural", "locked", "signal-exit", "signal-exit-late", "listener", "close-then-exit"];
if (!file || !MODES.includes(mode!)) throw new Error(`usage: usage-buffer-worker.ts ${MODES.join("|")} <file> [signal-exit dir]`);

/** Loads signal-exit from <dir> with a handler that says it ran. */
function loadSignalExit(): void {
  const loaded = createRequire(import.meta.url)(signalExitDir!) as ((cb: (code: unknown, signal: unknown) => void) => void) | { onExit: (cb: (code: unknown, signal: unknown) => void) => void };
  const onExit = typeof loaded === "function" ? loaded : loaded.onExit;
  onExit((_code, signal) => console.log(`signal-exit handler ${String(signal)}`));
}

// Loaded before the buffer, as a store's lock library would be.
if (mode === "signal-exit") loadSignalExit();

// Calls are unpriced here; the tests read stderr for exit-hook failures only, so no unpriced warning.
const accounting = new Accounting({ store: new SqliteStore({ file, busyTimeoutMs: 20 }), appName: "worker", onUnpriced: () => undefined });
await accounting.open();
const buffer = new UsageBuffer(accounting, {
  flushIntervalMs: 60_000,
  // Short only where the flush can never succeed; elsewhere a slow CI machine must not abandon rows.
  exitTimeoutMs: mode === "locked" ? 300 : 60_000,
  retryBaseMs: 10,
  onError: (event) => {
    if (event.stage === "exit") console.log(`abandoned ${event.records.length}${event.mayBeStored ? " maybe stored" : ""}`);
  },
});
// Loaded after the buffer, as Ink, execa or foreground-child load it on their first use.
if (mode === "signal-exit-late") loadSignalExit();
let queued = 0;

async function track(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    queued++;
    await buffer.trackUsage({ model: "worker", promptTokens: queued, completionTokens: 1 });
  }
  console.log(`queued ${queued}`);
}

if (mode === "signal-exit" || mode === "signal-exit-late" || mode === "listener" || mode === "close-then-exit") {
  if (mode === "listener") {
    process.on("SIGTERM", () => {
      console.log("app handler");
      const poll = setInterval(() => {
        if (buffer.stats().queued > 0) return;
        clearInterval(poll);
        console.log("drained");
        setInterval(() => console.log("alive"), 100);
      }, 20);
    });
  } else if (mode === "close-then-exit") {
    process.on("SIGTERM", () => {
      void buffer.close().then(() => {
        console.log("closed");
        process.exit(0);
      });
    });
  }
  await track(3_000);
  console.log("ready");
  setInterval(() => undefined, 60_000);
} else if (mode === "natural") {
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
