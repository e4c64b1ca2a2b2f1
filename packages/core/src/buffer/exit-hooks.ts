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

function onSignal(signal: NodeJS.Signals): void {
  // Removed first, so a second signal during the flush gets Node's default (immediate) handling
  // and the re-raised one below ends the process.
  removeListeners();
  const targets = [...buffers];
  buffers.clear();
  void flushAll(targets).finally(() => {
    // Another listener saw this signal too and owns shutting down; re-raising would run it twice.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}
