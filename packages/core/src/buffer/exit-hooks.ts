import { reRaiseEndsProcess } from "./signal-owners.js";

/** A buffer the exit hooks flush before the process ends. */
export interface ExitFlushable {
  /** Flushes within the buffer's exit deadline; never rejects. */
  flushForExit(): Promise<void>;
}

// One set of process listeners for every buffer: with one listener per buffer, the first to
// finish would re-raise the signal while another buffer was still writing.
const buffers = new Set<ExitFlushable>();
const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/** Makes `beforeExit`, SIGINT and SIGTERM flush this buffer (installs the listeners with the first buffer). */
export function registerForExit(buffer: ExitFlushable): void {
  if (buffers.size === 0) {
    process.on("beforeExit", onBeforeExit);
    for (const signal of SIGNALS) process.on(signal, onSignal);
  }
  buffers.add(buffer);
}

/** Stops flushing this buffer at exit (removes the listeners with the last buffer). */
export function unregisterForExit(buffer: ExitFlushable): void {
  if (!buffers.delete(buffer) || buffers.size > 0) return;
  removeListeners();
}

function removeListeners(): void {
  process.off("beforeExit", onBeforeExit);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

function flushAll(targets: readonly ExitFlushable[] = [...buffers]): Promise<unknown> {
  return Promise.allSettled(targets.map((buffer) => buffer.flushForExit()));
}

// Emitted when the event loop is empty; the flush's own work keeps the process alive, and once
// it is done Node emits beforeExit again, finds nothing queued and exits.
function onBeforeExit(): void {
  void flushAll();
}

// Cooperative: the flush runs, then the process ends as it would have without this listener.
// Nobody else listening: Node's default action kills the process, so the signal is re-raised.
// Only signal-exit listening: it acts only when every listener of the signal is its own, so while
// ours stays registered (through the flush) it stands back, whether it was loaded before or after
// the buffer; the re-raised signal then finds only it, and it runs its exit handlers and ends the
// process. Anyone else listening (the app's own shutdown handler): that listener decides, as it
// would have without us; re-raising would run it twice, so nothing more is done here.
let flushing = false;

function onSignal(signal: NodeJS.Signals): void {
  if (flushing) {
    // A second signal during the flush: the user insists. It gets what it would have without us.
    removeListeners();
    if (reRaiseEndsProcess(signal)) process.kill(process.pid, signal);
    return;
  }
  flushing = true;
  const targets = [...buffers];
  buffers.clear();
  void flushAll(targets).finally(() => {
    flushing = false;
    removeListeners();
    if (reRaiseEndsProcess(signal)) process.kill(process.pid, signal);
  });
}
