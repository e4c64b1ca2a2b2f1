import { currentUsageContext } from "../context/usage-context.js";
import { AccountingError } from "../errors.js";
import { normalizeUsage } from "../usage/normalize-usage.js";
import type { UsageInput } from "../usage/usage-input.js";
import type { UsageSink } from "../usage/usage-sink.js";
import { UsageObservers, type UsageObserver } from "../usage/usage-observer.js";
import { resolveBufferOptions, type ResolvedBufferOptions, type UsageBufferOptions, type UsageBufferStats } from "./buffer-options.js";
import { registerForExit, unregisterForExit, type ExitFlushable } from "./exit-hooks.js";
import { RingQueue } from "./ring-queue.js";
import { isPermanentWriteFailure } from "./write-failure.js";
import { inputOf, inputsOf } from "./held-usage.js";
import { outsideContext } from "./outside-context.js";
import { SpillOutlet } from "./spill-outlet.js";
import { FlushWaiters } from "./flush-waiters.js";
import { RetrySleep } from "./retry-sleep.js";
import { InFlightBatch } from "./in-flight-batch.js";
import type { QueuedUsage, UsageBatchWriter } from "./batch-writer.js";
import { ParkedCalls } from "./parked-calls.js";
import { outlasts } from "./deadline.js";

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
  readonly #parked = new ParkedCalls();
  readonly #flushWaiters = new FlushWaiters();
  readonly #spill: SpillOutlet;
  readonly #retry = new RetrySleep();
  readonly #inFlight = new InFlightBatch();
  // A batch write is running (not sleeping before a retry): at a deadline, its records may yet be stored.
  #writing = false;
  // Positions in arrival order: records [removed, accepted) are in the ring.
  #accepted = 0;
  #removed = 0;
  #drainTarget = 0;
  #draining = false;
  #kickScheduled = false;
  #exiting = false;
  #closed = false;
  #closing: Promise<void> | undefined;
  #counts = { written: 0, dropped: 0, spilled: 0, rejected: 0, abandoned: 0, failedWrites: 0, batches: 0 };

  constructor(writer: UsageBatchWriter, options: UsageBufferOptions = {}) {
    this.#writer = writer;
    this.#options = resolveBufferOptions(options);
    this.#queue = new RingQueue(this.#options.maxQueued);
    this.#observers = new UsageObservers(this.#options.observers);
    this.#spill = new SpillOutlet(this.#options.spill, this.#options.batchSize, this.#options.onError);
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
    if (this.#parked.size === 0 && this.#queue.size + this.#inFlight.records.length < this.#options.maxQueued) {
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
    this.#spill.deliver();
    const spilling = this.#spill.settled;
    const target = this.#accepted + this.#parked.size;
    if (this.#confirmed() >= target) return spilling;
    this.#drainTarget = Math.max(this.#drainTarget, target);
    const written = this.#flushWaiters.wait(target);
    // A flush someone waits for keeps the process alive through retry delays.
    this.#retry.keepAlive();
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
    return { queued: this.#queue.size + this.#inFlight.records.length, waiting: this.#parked.size, ...this.#counts };
  }

  /** Used by the exit hooks: flushes within `exitTimeoutMs`, then reports what is left (stage "exit"). */
  async flushForExit(): Promise<void> {
    this.#exiting = true;
    await this.#flushWithin(this.#options.exitTimeoutMs, "exitTimeoutMs", "the process exiting");
  }

  /** Flushes everything held; what is still held after `ms` is given up and reported. Never rejects. */
  async #flushWithin(ms: number, option: string, event: string): Promise<void> {
    if (await outlasts(() => this.#flushEverything(), ms)) this.#abandon(new Error(`not stored within ${option} (${ms} ms) of ${event}`));
  }

  // Until nothing is held: the app may keep tracking calls while the exit flush runs.
  async #flushEverything(): Promise<void> {
    while (this.#confirmed() < this.#accepted + this.#parked.size || this.#spill.pending > 0) await this.flush();
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

  #overflow(record: QueuedUsage): Promise<void> | undefined {
    switch (this.#options.onFull) {
      case "block":
        return this.#parked.park(record);
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
        this.#spill.add(inputOf(record));
        this.#counts.spilled++;
        return undefined;
    }
  }

  #tick(): void {
    if (this.#queue.size === 0) return;
    this.#drainTarget = Math.max(this.#drainTarget, this.#accepted);
    this.#drain();
  }

  /** Position before which every record is stored, dropped, refused or abandoned. */
  #confirmed(): number {
    return this.#inFlight.records.length > 0 ? this.#inFlight.start : this.#removed;
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
    return this.#inFlight.records.length > 0 || queued >= this.#options.batchSize || (queued > 0 && this.#removed < this.#drainTarget);
  }

  async #drainLoop(): Promise<void> {
    for (;;) {
      if (this.#inFlight.records.length === 0) {
        this.#admitParked();
        if (!this.#hasDueWork()) return;
        this.#inFlight.begin(this.#queue.take(this.#options.batchSize), this.#removed);
        this.#removed += this.#inFlight.records.length;
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
    const batch = this.#inFlight.nextPart();
    const owner = this.#inFlight.records;
    this.#writing = true;
    try {
      await outsideContext(() => this.#writer.trackNormalizedBatch(batch));
      this.#counts.written += batch.length;
      this.#counts.batches++;
      if (this.#observers.active) this.#observers.notify(batch);
      if (owner === this.#inFlight.records) this.#inFlight.settle(batch.length);
    } catch (error) {
      if (owner !== this.#inFlight.records) return;
      if (isPermanentWriteFailure(error)) {
        // Refused for good, which one record can cause: halve it until only that record is set aside.
        if (batch.length > 1) this.#inFlight.split(batch.length);
        else {
          this.#counts.rejected++;
          this.#options.onError({ stage: "reject", error, records: inputsOf(batch), attempt: 1, willRetry: false });
          this.#inFlight.settle(1);
        }
        return;
      }
      const attempt = ++this.#inFlight.attempt;
      this.#counts.failedWrites++;
      this.#options.onError({ stage: "write", error, records: inputsOf(batch), attempt, willRetry: true });
      this.#writing = false;
      // Background retries alone do not keep the process alive; a flush or exit does.
      const delay = Math.min(this.#options.retryMaxMs, this.#options.retryBaseMs * 2 ** (attempt - 1));
      await this.#retry.sleep(delay, this.#flushWaiters.size > 0 || this.#exiting);
    } finally {
      this.#writing = false;
    }
  }

  #admitParked(): void {
    if (this.#parked.size === 0) return;
    this.#parked.admitWhile(
      () => this.#queue.size + this.#inFlight.records.length < this.#options.maxQueued,
      (entry) => {
        this.#queue.push(entry);
        this.#accepted++;
      },
    );
  }

  #settleWaiters(): void {
    if (this.#flushWaiters.size > 0) this.#flushWaiters.settle(this.#confirmed());
  }

  /** Gives up on everything held (exit deadline passed): reports it and fails pending flushes. */
  #abandon(error: Error): void {
    // A write still running may commit after this: those records are reported apart, as maybe stored.
    const running = this.#writing ? inputsOf(this.#inFlight.records) : [];
    const records = inputsOf([...(this.#writing ? [] : this.#inFlight.records), ...this.#queue.take(this.#queue.size), ...this.#parked.releaseAll()]);
    this.#removed = this.#accepted;
    this.#inFlight.clear();
    this.#counts.abandoned += records.length + running.length;
    this.#retry.wake();
    if (running.length > 0) this.#options.onError({ stage: "exit", error, records: running, attempt: 1, willRetry: false, mayBeStored: true });
    if (records.length > 0) this.#options.onError({ stage: "exit", error, records, attempt: 1, willRetry: false });
    this.#flushWaiters.rejectAll(error);
  }
}
