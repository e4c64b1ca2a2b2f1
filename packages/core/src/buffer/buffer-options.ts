import { ValidationError } from "../errors.js";
import type { UsageInput } from "../usage/usage-input.js";
import type { UsageObserver } from "../usage/usage-observer.js";

/** What `trackUsage` does when `maxQueued` records are already waiting to be written. */
export type BufferFullPolicy = "block" | "drop-oldest" | "spill";

/** Where a problem the buffer reports through `onError` happened. */
export type BufferErrorStage =
  /** A batch write failed for a reason that may pass (store unavailable, a lock); the records stay queued and the write is retried after a backoff. */
  | "write"
  /**
   * These records were refused for good, by the facade (e.g. name enforcement) or by the store
   * (`RecordRejectedError`: a value the database cannot hold); they are not stored. A refused
   * batch is split in halves until only the refused records are left, so the others are stored.
   */
  | "reject"
  /** The `spill` callback threw or rejected; these records are neither stored nor spilled. */
  | "spill"
  /** Given up unwritten: the process was exiting (exit hooks, after `exitTimeoutMs`) or `close()` reached `closeTimeoutMs`. */
  | "exit";

/** One problem reported to `onError`, with the records it concerns. */
export interface BufferErrorEvent {
  readonly stage: BufferErrorStage;
  readonly error: unknown;
  /** The records concerned, as queued (names from the usage context and the timestamp filled in). */
  readonly records: readonly UsageInput[];
  /** Failed attempts so far for this batch (stage "write"), else 1. */
  readonly attempt: number;
  /** True when the buffer still holds the records and will try again. */
  readonly willRetry: boolean;
  /**
   * Stage "exit" only: true for records whose write was still running when the deadline passed.
   * The store may yet commit them, so replaying them could store them twice: check the store first.
   */
  readonly mayBeStored?: boolean;
}

/** Options of `UsageBuffer`; every one has a default. */
export interface UsageBufferOptions {
  /** Write whatever is queued at least this often, in ms. Default 1000. */
  readonly flushIntervalMs?: number;
  /** Records per write (one transaction each); a write also starts as soon as this many wait. Default 1000. */
  readonly batchSize?: number;
  /**
   * Most records held (queued plus being written). Default 10,000: ten batches of headroom, about
   * 50 ms of writing; a larger queue mostly costs garbage-collection time on every call.
   */
  readonly maxQueued?: number;
  /**
   * When `maxQueued` records are held: `block` (default) makes `trackUsage` return a Promise that
   * resolves once the record is queued — await it for back-pressure; `drop-oldest` discards the
   * oldest queued record (counted in `stats().dropped`); `spill` hands the new record to `spill`.
   */
  readonly onFull?: BufferFullPolicy;
  /**
   * Receives records that did not fit (required with `onFull: "spill"`), in arrival order, in
   * groups of up to `batchSize`; `flush` and `close` wait for the returned promise. Example, one
   * JSON line per record, replayable with `accounting.trackUsageBatch`:
   * `spill: (records) => appendFileSync("overflow.jsonl", records.map((r) => JSON.stringify(r) + "\n").join(""))`
   */
  readonly spill?: (records: UsageInput[]) => void | Promise<void>;
  /** Called for every failed write, refused record, failed spill or record abandoned at exit. Default: a process warning. */
  readonly onError?: (event: BufferErrorEvent) => void;
  /** First retry delay after a failed write, in ms; doubles per attempt up to `retryMaxMs`. Default 100. */
  readonly retryBaseMs?: number;
  /** Longest retry delay, in ms. Default 30,000. */
  readonly retryMaxMs?: number;
  /**
   * Flush on `beforeExit`, SIGINT and SIGTERM (default true). Cooperative with signals: after the
   * flush the process ends as it would have without the buffer. With no other listener the signal
   * is re-raised and kills the process; with only `signal-exit` listening (Ink, execa,
   * foreground-child, ...) it is re-raised so signal-exit runs its exit handlers and ends the process; with any
   * other listener (your own shutdown handler) nothing more is done: that listener decides, and
   * should `await buffer.close()` before it exits. A second signal during the flush meets the
   * other listeners (or Node's default) alone.
   */
  readonly installExitHooks?: boolean;
  /** How long the exit hooks wait for the final flush before giving up (reported as stage "exit"), in ms. Default 10,000. */
  readonly exitTimeoutMs?: number;
  /**
   * Told about each batch once it is stored, e.g. `otelObserver()` from `@llm-accounting/otel`;
   * more with `buffer.observe`. Attach an observer to the buffer or to the facade it writes
   * through, not both: the facade's observers see the buffer's batches too.
   */
  readonly observers?: readonly UsageObserver[];
  /** How long `close()` waits for the final flush (the store may be down) before giving up on what is left (stage "exit"), in ms. Default 30,000. */
  readonly closeTimeoutMs?: number;
}

/** Options with their defaults applied. */
export type ResolvedBufferOptions = Required<Omit<UsageBufferOptions, "spill" | "observers">> & Pick<UsageBufferOptions, "spill" | "observers">;

/** Counters of a buffer since it was created. */
export interface UsageBufferStats {
  /** Records held and not yet stored (queued or being written). */
  readonly queued: number;
  /** Callers waiting for room under `onFull: "block"` (their records are not counted in `queued`). */
  readonly waiting: number;
  /** Records stored. */
  readonly written: number;
  /** Records discarded under `onFull: "drop-oldest"`. */
  readonly dropped: number;
  /** Records handed to `spill`. */
  readonly spilled: number;
  /** Records the facade or the store refused for good (reported with stage "reject"). */
  readonly rejected: number;
  /** Records given up at exit or when `close()` timed out (reported with stage "exit"). */
  readonly abandoned: number;
  /** Failed write attempts that are retried (stage "write"). */
  readonly failedWrites: number;
  /** Successful batch writes. */
  readonly batches: number;
}

/** Applies the defaults and checks every option; throws `ValidationError` naming the bad one. */
export function resolveBufferOptions(options: UsageBufferOptions): ResolvedBufferOptions {
  const resolved: ResolvedBufferOptions = {
    flushIntervalMs: positive(options.flushIntervalMs ?? 1000, "flushIntervalMs"),
    batchSize: positiveInteger(options.batchSize ?? 1000, "batchSize"),
    maxQueued: positiveInteger(options.maxQueued ?? 10_000, "maxQueued"),
    onFull: options.onFull ?? "block",
    spill: options.spill,
    observers: options.observers,
    onError: neverThrowing(options.onError ?? warn),
    retryBaseMs: positive(options.retryBaseMs ?? 100, "retryBaseMs"),
    retryMaxMs: positive(options.retryMaxMs ?? 30_000, "retryMaxMs"),
    installExitHooks: options.installExitHooks ?? true,
    exitTimeoutMs: positive(options.exitTimeoutMs ?? 10_000, "exitTimeoutMs"),
    closeTimeoutMs: positive(options.closeTimeoutMs ?? 30_000, "closeTimeoutMs"),
  };
  if (!["block", "drop-oldest", "spill"].includes(resolved.onFull)) throw new ValidationError("onFull", `must be "block", "drop-oldest" or "spill" (got ${String(resolved.onFull)})`);
  if (resolved.onFull === "spill" && typeof resolved.spill !== "function") throw new ValidationError("spill", 'must be a function when onFull is "spill"');
  if (resolved.batchSize > resolved.maxQueued) throw new ValidationError("batchSize", `must not exceed maxQueued (${resolved.maxQueued})`);
  return resolved;
}

// Node's timers treat a delay above 2^31 - 1 ms (about 24.8 days) as 1 ms: a deadline meant as
// "wait for ever" would fire at once.
const MAX_TIMER_MS = 2 ** 31 - 1;

function positive(value: number, field: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) throw new ValidationError(field, `must be a positive number (got ${String(value)})`);
  if (value > MAX_TIMER_MS) throw new ValidationError(field, `must be at most ${MAX_TIMER_MS} ms, the longest timer Node keeps (got ${String(value)})`);
  return value;
}

function positiveInteger(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new ValidationError(field, `must be a positive integer (got ${String(value)})`);
  return value;
}

/** The error hook, made safe to call from the writer: a throwing hook must not stop it. */
function neverThrowing(onError: (event: BufferErrorEvent) => void): (event: BufferErrorEvent) => void {
  return (event) => {
    try {
      onError(event);
    } catch {
      // Nothing to report to: the hook itself failed.
    }
  };
}

function warn(event: BufferErrorEvent): void {
  const message = event.error instanceof Error ? event.error.message : String(event.error);
  const outcome = event.willRetry ? "will retry" : "not stored";
  process.emitWarning(`UsageBuffer ${event.stage} failed for ${event.records.length} record(s), ${outcome}: ${message}`, "UsageBufferWarning");
}
