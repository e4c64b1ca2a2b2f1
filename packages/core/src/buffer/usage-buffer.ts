import { AsyncResource } from "node:async_hooks";
import { currentUsageContext, withUsageContext, type UsageContext } from "../context/usage-context.js";
import { AccountingError } from "../errors.js";
import { normalizeUsage } from "../usage/normalize-usage.js";
import { nanosToUsd } from "../money.js";
import { USAGE_INPUT_FIELDS } from "../store/usage-columns.js";
import type { NewUsageRecord } from "../store/usage-record.js";
import type { UsageDefaults, UsageInput } from "../usage/usage-input.js";
import type { UsageSink } from "../usage/usage-sink.js";
import { UsageObservers, type UsageObserver } from "../usage/usage-observer.js";
import { resolveBufferOptions, type BufferErrorEvent, type ResolvedBufferOptions, type UsageBufferOptions, type UsageBufferStats } from "./buffer-options.js";
import { registerForExit, unregisterForExit, type ExitFlushable } from "./exit-hooks.js";
import { RingQueue } from "./ring-queue.js";
import { isPermanentWriteFailure } from "./write-failure.js";

/**
 * What a buffer writes through: the `Accounting` facade, or anything with its defaults and
 * `trackNormalizedBatch` (records already made by `normalizeUsage` with these defaults).
 */
export interface UsageBatchWriter {
  readonly defaults: UsageDefaults;
  trackNormalizedBatch(records: readonly NewUsageRecord[]): Promise<void>;
}

/**
 * A held call is its normalized record alone (the only normalizeUsage on the buffered path): one
 * object per call keeps every queue step (push, drop-oldest, park, isolate, abandon) O(1) on a
 * single structure and costs the least per call. Calls are reported to onError and spill in the
 * input form (`inputOf`), which users can replay with `trackUsage` and serialise as JSON.
 */
type QueuedUsage = NewUsageRecord;

interface ParkedRecord {
  readonly entry: QueuedUsage;
  readonly resolve: () => void;
}

interface FlushWaiter {
  readonly target: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

// Batches are written outside any usage context, so the facade adds nothing: names were captured
// from the caller's context at enqueue, and the writer may run inside any caller's context. The
// scope captured when this module loads is normally empty (no ALS hooks, no per-record copies);
// if it was loaded inside a context, an all-null context neutralises it instead.
const ROOT_SCOPE = new AsyncResource("UsageBufferWrite");
const ROOT_IS_EMPTY = currentUsageContext() === undefined;
const NO_CONTEXT: UsageContext = { username: null, project: null, callerName: null, session: null };
const outsideContext = <T>(fn: () => T): T => (ROOT_IS_EMPTY ? ROOT_SCOPE.runInAsyncScope(fn) : withUsageContext(NO_CONTEXT, fn));

/**
 * Non-blocking `UsageSink`: `trackUsage` validates at once (throwing `ValidationError`), stamps
 * the call (wall clock) and takes the names of the current usage context, queues the record and
 * returns; records are written with `trackNormalizedBatch` (one transaction per batch) every
 * `flushIntervalMs` or as soon as `batchSize` wait. A failed write keeps its records and is
 * retried with exponential backoff: a queued record is stored, counted as dropped (`drop-oldest`)
 * or reported to `onError` — never lost silently. A batch the store refuses for good is split so
 * only the refused records are set aside (stage "reject"). The timer does not keep the process
 * alive; exit hooks flush on `beforeExit`, SIGINT and SIGTERM and then let the process end as it
 * would have without them (see `installExitHooks`). Call `close()` before `process.exit()`, which
 * skips them, and in your own SIGTERM handler if you have one (it then owns shutting down).
 *
 * ```ts
 * const accounting = new Accounting({ store: new SqliteStore({ file: "usage.sqlite" }) });
 * const buffer = new UsageBuffer(accounting, { onFull: "block" });
 * await buffer.trackUsage({ model: "gpt-4o", promptTokens: 120, completionTokens: 30 }); // await: back-pressure when full
 * await buffer.close(); // writes what is left
 * ```
 */
export class UsageBuffer implements UsageSink, AsyncDisposable, ExitFlushable {
  readonly #writer: UsageBatchWriter;
  readonly #options: ResolvedBufferOptions;
  readonly #queue: RingQueue<QueuedUsage>;
  readonly #timer: NodeJS.Timeout;
  readonly #observers: UsageObservers;
  #parked: ParkedRecord[] = [];
  #flushWaiters: FlushWaiter[] = [];
  // The batch being written: it leaves memory only once stored (or refused for good).
  #inFlight: QueuedUsage[] = [];
  #inFlightStart = 0;
  #attempt = 0;
  // A batch write is running (not sleeping before a retry): at a deadline, its records may yet be stored.
  #writing = false;
  // Sizes of the parts of the in-flight batch still to write, front first, once a refused batch
  // has been split (empty: write it whole). Their sum is the batch's length.
  #segments: number[] = [];
  // Positions in arrival order: records [removed, accepted) are in the ring.
  #accepted = 0;
  #removed = 0;
  #drainTarget = 0;
  #draining = false;
  #kickScheduled = false;
  #spillPending: UsageInput[] = [];
  #spillScheduled = false;
  #spilling: Promise<void> = Promise.resolve();
  #sleepTimer: NodeJS.Timeout | undefined;
  #wake: (() => void) | undefined;
  #exiting = false;
  #closed = false;
  #closing: Promise<void> | undefined;
  #counts = { written: 0, dropped: 0, spilled: 0, rejected: 0, abandoned: 0, failedWrites: 0, batches: 0 };

  constructor(writer: UsageBatchWriter, options: UsageBufferOptions = {}) {
    this.#writer = writer;
    this.#options = resolveBufferOptions(options);
    this.#queue = new RingQueue(this.#options.maxQueued);
    this.#observers = new UsageObservers(this.#options.observers);
    this.#timer = setInterval(() => this.#tick(), this.#options.flushIntervalMs).unref();
    if (this.#options.installExitHooks) registerForExit(this);
  }

  /**
   * Validates and queues one call; throws `ValidationError` for bad input (nothing is queued).
   * Returns `undefined` once queued — or dropped or spilled by the `onFull` policy. With
   * `onFull: "block"` and a full buffer it returns a Promise that resolves once the record is
   * queued: JavaScript cannot block the caller, so back-pressure works only for callers that
   * await it (`await buffer.trackUsage(...)` suits both cases); records of callers that do not
   * await wait in memory beyond `maxQueued` (see `stats().waiting`). Throws once closed.
   */
  trackUsage(input: UsageInput): Promise<void> | undefined {
    if (this.#closed) throw new AccountingError("BUFFER_CLOSED", "the usage buffer is closed");
    // The wall clock stamps calls without a timestamp; the context's names come before the defaults.
    const record = normalizeUsage(input, this.#writer.defaults, new Date(), currentUsageContext());
    if (this.#parked.length === 0 && this.#queue.size + this.#inFlight.length < this.#options.maxQueued) {
      this.#push(record);
      return undefined;
    }
    return this.#overflow(record);
  }

  /** Attaches an observer told about each batch once it is stored; returns a function that detaches it. */
  observe(observer: UsageObserver): () => void {
    return this.#observers.add(observer);
  }

  /**
   * Resolves once every record queued (or waiting under "block") before the call is stored — or
   * dropped, or refused and reported — and every spill has settled. Waits through retries while
   * the store is failing; rejects only if the exit hooks give up on the records.
   */
  flush(): Promise<void> {
    this.#deliverSpill();
    const spilling = this.#spilling;
    const target = this.#accepted + this.#parked.length;
    if (this.#confirmed() >= target) return spilling;
    this.#drainTarget = Math.max(this.#drainTarget, target);
    const written = new Promise<void>((resolve, reject) => this.#flushWaiters.push({ target, resolve, reject }));
    // A flush someone waits for keeps the process alive through retry delays.
    this.#sleepTimer?.ref();
    this.#drain();
    return written.then(() => spilling);
  }

  /**
   * Stops accepting records, writes everything held, stops the timer and removes the exit hooks.
   * Resolves within `closeTimeoutMs`: records still unwritten then (the store is down) are
   * reported to `onError` (stage "exit") and counted in `stats().abandoned`. Does not close the facade.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      clearInterval(this.#timer);
      try {
        await this.#flushWithin(this.#options.closeTimeoutMs, "closeTimeoutMs", "the buffer closing");
      } finally {
        unregisterForExit(this);
      }
    })();
    return this.#closing;
  }

  /** Closes the buffer at the end of an `await using` block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Counters since the buffer was created. */
  stats(): UsageBufferStats {
    return { queued: this.#queue.size + this.#inFlight.length, waiting: this.#parked.length, ...this.#counts };
  }

  /** Used by the exit hooks: flushes within `exitTimeoutMs`, then reports what is left (stage "exit"). */
  async flushForExit(): Promise<void> {
    this.#exiting = true;
    await this.#flushWithin(this.#options.exitTimeoutMs, "exitTimeoutMs", "the process exiting");
  }

  /** Flushes everything held; what is still held after `ms` is given up and reported. Never rejects. */
  async #flushWithin(ms: number, option: string, event: string): Promise<void> {
    let deadline: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      deadline = setTimeout(() => resolve(true), ms);
    });
    const flushed = this.#flushEverything().then(
      () => false,
      () => false,
    );
    const late = await Promise.race([flushed, timedOut]);
    clearTimeout(deadline);
    if (late) this.#abandon(new Error(`not stored within ${option} (${ms} ms) of ${event}`));
  }

  // Until nothing is held: the app may keep tracking calls while the exit flush runs.
  async #flushEverything(): Promise<void> {
    while (this.#confirmed() < this.#accepted + this.#parked.length || this.#spillPending.length > 0) await this.flush();
  }

  #push(entry: QueuedUsage): void {
    this.#queue.push(entry);
    this.#accepted++;
    if (this.#queue.size >= this.#options.batchSize && !this.#draining && !this.#kickScheduled) {
      // Written on the next turn: starting the write here would put a batch's work into this call.
      this.#kickScheduled = true;
      setImmediate(() => {
        this.#kickScheduled = false;
        this.#drain();
      });
    }
  }

  #overflow(record: NewUsageRecord): Promise<void> | undefined {
    switch (this.#options.onFull) {
      case "block":
        return new Promise<void>((resolve) => this.#parked.push({ entry: record, resolve }));
      case "drop-oldest":
        this.#counts.dropped++;
        // With every held record in the batch being written, the new record is the oldest droppable.
        if (this.#queue.size > 0) {
          this.#queue.shift();
          this.#removed++;
          this.#push(record);
          this.#settleWaiters();
        }
        return undefined;
      case "spill":
        // Spilled calls are never written here: the user's form is all they need.
        this.#spillPending.push(inputOf(record));
        this.#counts.spilled++;
        if (this.#spillPending.length >= this.#options.batchSize) this.#deliverSpill();
        else if (!this.#spillScheduled) {
          this.#spillScheduled = true;
          queueMicrotask(() => this.#deliverSpill());
        }
        return undefined;
    }
  }

  #deliverSpill(): void {
    this.#spillScheduled = false;
    if (this.#spillPending.length === 0) return;
    const records = this.#spillPending;
    this.#spillPending = [];
    const spill = this.#options.spill!;
    this.#spilling = this.#spilling.then(async () => {
      try {
        await spill(records);
      } catch (error) {
        this.#report({ stage: "spill", error, records, attempt: 1, willRetry: false });
      }
    });
  }

  #tick(): void {
    if (this.#queue.size === 0) return;
    this.#drainTarget = Math.max(this.#drainTarget, this.#accepted);
    this.#drain();
  }

  /** Position before which every record is stored, dropped, refused or abandoned. */
  #confirmed(): number {
    return this.#inFlight.length > 0 ? this.#inFlightStart : this.#removed;
  }

  #drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    void this.#drainLoop().finally(() => {
      this.#draining = false;
      // Work that became due between the loop's last check and now.
      if (this.#hasDueWork()) this.#drain();
    });
  }

  #hasDueWork(): boolean {
    const queued = this.#queue.size;
    return this.#inFlight.length > 0 || queued >= this.#options.batchSize || (queued > 0 && this.#removed < this.#drainTarget);
  }

  async #drainLoop(): Promise<void> {
    for (;;) {
      if (this.#inFlight.length === 0) {
        this.#admitParked();
        if (!this.#hasDueWork()) return;
        this.#inFlightStart = this.#removed;
        this.#inFlight = this.#queue.take(this.#options.batchSize);
        this.#removed += this.#inFlight.length;
        this.#attempt = 0;
        this.#segments = [];
      }
      // The write starts (and with a writer thread, is handed over) before the callers admitted
      // into the freed room run, so the store works while they queue the next batch.
      const written = this.#writeInFlight();
      this.#admitParked();
      await written;
      this.#settleWaiters();
    }
  }

  async #writeInFlight(): Promise<void> {
    const size = this.#segments[0] ?? this.#inFlight.length;
    const batch = size === this.#inFlight.length ? this.#inFlight : this.#inFlight.slice(0, size);
    const owner = this.#inFlight;
    this.#writing = true;
    try {
      await outsideContext(() => this.#writer.trackNormalizedBatch(batch));
      this.#counts.written += batch.length;
      this.#counts.batches++;
      if (this.#observers.active) this.#observers.notify(batch);
      if (owner === this.#inFlight) this.#settleInFlight(batch.length);
    } catch (error) {
      if (owner !== this.#inFlight) return;
      if (isPermanentWriteFailure(error)) {
        // The batch is refused for good, which one record can cause: write each half on its own,
        // and so on down, so only the refused records are set aside (about 2 log2(n) writes each).
        if (batch.length > 1) {
          const half = Math.ceil(batch.length / 2);
          this.#segments.splice(0, this.#segments.length > 0 ? 1 : 0, half, batch.length - half);
        } else {
          this.#counts.rejected++;
          this.#report({ stage: "reject", error, records: inputsOf(batch), attempt: 1, willRetry: false });
          this.#settleInFlight(1);
        }
        return;
      }
      this.#attempt++;
      this.#counts.failedWrites++;
      this.#report({ stage: "write", error, records: inputsOf(batch), attempt: this.#attempt, willRetry: true });
      this.#writing = false;
      await this.#sleep(Math.min(this.#options.retryMaxMs, this.#options.retryBaseMs * 2 ** (this.#attempt - 1)));
    } finally {
      this.#writing = false;
    }
  }

  /** Drops the first `count` records of the batch being written, which are now settled. */
  #settleInFlight(count: number): void {
    this.#attempt = 0;
    // The settled records are always the whole first segment.
    this.#segments.shift();
    if (count >= this.#inFlight.length) {
      this.#inFlight = [];
      this.#segments = [];
      return;
    }
    // A new array, not splice: onError events may still hold the old one.
    this.#inFlight = this.#inFlight.slice(count);
    this.#inFlightStart += count;
  }

  #admitParked(): void {
    let admitted = 0;
    while (admitted < this.#parked.length && this.#queue.size + this.#inFlight.length < this.#options.maxQueued) {
      const parked = this.#parked[admitted++]!;
      this.#queue.push(parked.entry);
      this.#accepted++;
      parked.resolve();
    }
    if (admitted > 0) this.#parked.splice(0, admitted);
  }

  #settleWaiters(): void {
    if (this.#flushWaiters.length === 0) return;
    const confirmed = this.#confirmed();
    const pending: FlushWaiter[] = [];
    for (const waiter of this.#flushWaiters) {
      if (waiter.target <= confirmed) waiter.resolve();
      else pending.push(waiter);
    }
    this.#flushWaiters = pending;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#sleepTimer = undefined;
        this.#wake = undefined;
        resolve();
      }, ms);
      // Background retries alone do not keep the process alive; a flush or exit does.
      if (this.#flushWaiters.length === 0 && !this.#exiting) timer.unref();
      this.#sleepTimer = timer;
      this.#wake = resolve;
    });
  }

  /** Gives up on everything held (exit deadline passed): reports it and fails pending flushes. */
  #abandon(error: Error): void {
    // A write still running may commit after this: those records are reported apart, as maybe stored.
    const running = this.#writing ? inputsOf(this.#inFlight) : [];
    const records = inputsOf([...(this.#writing ? [] : this.#inFlight), ...this.#queue.take(this.#queue.size), ...this.#parked.map((parked) => parked.entry)]);
    for (const parked of this.#parked) parked.resolve();
    this.#removed = this.#accepted;
    this.#inFlight = [];
    this.#parked = [];
    this.#segments = [];
    this.#counts.abandoned += records.length + running.length;
    clearTimeout(this.#sleepTimer);
    this.#wake?.();
    if (running.length > 0) this.#report({ stage: "exit", error, records: running, attempt: 1, willRetry: false, mayBeStored: true });
    if (records.length > 0) this.#report({ stage: "exit", error, records, attempt: 1, willRetry: false });
    const waiters = this.#flushWaiters;
    this.#flushWaiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }

  #report(event: BufferErrorEvent): void {
    try {
      this.#options.onError(event);
    } catch {
      // A throwing error hook must not stop the writer.
    }
  }
}

/** A held record in the form `trackUsage` takes: replaying it writes the same row (names and time included). */
function inputOf(record: NewUsageRecord): UsageInput {
  const input: Record<string, unknown> = {};
  for (const field of USAGE_INPUT_FIELDS) input[field] = record[field];
  // Only a cost the caller gave: the others are priced when written, as they would have been.
  if (record.costSource === "caller") input.cost = nanosToUsd(record.costNanos);
  return input as unknown as UsageInput;
}

/** The held calls, as onError events report them. */
function inputsOf(records: readonly NewUsageRecord[]): UsageInput[] {
  return records.map(inputOf);
}

