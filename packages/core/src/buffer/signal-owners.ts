// How many listeners of each signal belong to the `signal-exit` package (loaded by Ink, execa,
// foreground-child, ...). Each loaded copy adds one listener per signal and counts
// itself on a shared emitter: version 3 on `process.__signal_exit_emitter__`, version 4 on
// `globalThis[Symbol.for("signal-exit emitter")]`. When every listener of a signal is one of
// these, signal-exit runs its exit handlers and re-raises the signal; otherwise it does nothing.
const V4_EMITTER = Symbol.for("signal-exit emitter");

interface CountedEmitter {
  readonly count?: unknown;
}

/** Listeners of a signal that `signal-exit` (version 3 or 4) installed, as it counts them. */
export function signalExitListenerCount(): number {
  const v3 = (process as unknown as { __signal_exit_emitter__?: CountedEmitter }).__signal_exit_emitter__;
  const v4 = (globalThis as unknown as Record<symbol, CountedEmitter | undefined>)[V4_EMITTER];
  return countOf(v3) + countOf(v4);
}

/**
 * Whether re-raising `signal` now ends the process the way it would have ended without the
 * buffer's listener: true when nobody else listens (Node's default action kills the process) or
 * when only signal-exit does (it runs its exit handlers, then re-raises). False when the app or
 * another library listens: that listener decides whether and when the process ends.
 */
export function reRaiseEndsProcess(signal: NodeJS.Signals): boolean {
  const others = process.listenerCount(signal);
  return others === 0 || others === signalExitListenerCount();
}

function countOf(emitter: CountedEmitter | undefined): number {
  return typeof emitter?.count === "number" && emitter.count > 0 ? emitter.count : 0;
}
