/** One `flush()` waiting for every record up to `target` (in arrival order) to settle. */
interface FlushWaiter {
  readonly target: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** The flushes waiting on the buffer, settled as the position before which every record is settled moves. */
export class FlushWaiters {
  #waiters: FlushWaiter[] = [];

  /** How many flushes wait. */
  get size(): number {
    return this.#waiters.length;
  }

  /** Resolves once `settle` is told a position at or beyond `target`. */
  wait(target: number): Promise<void> {
    return new Promise<void>((resolve, reject) => this.#waiters.push({ target, resolve, reject }));
  }

  /** Resolves the flushes waiting for records before `confirmed`. */
  settle(confirmed: number): void {
    if (this.#waiters.length === 0) return;
    const pending: FlushWaiter[] = [];
    for (const waiter of this.#waiters) {
      if (waiter.target <= confirmed) waiter.resolve();
      else pending.push(waiter);
    }
    this.#waiters = pending;
  }

  /** Fails every waiting flush (the records were given up). */
  rejectAll(error: unknown): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }
}
