import type { QueuedUsage } from "./batch-writer.js";

interface ParkedRecord {
  readonly entry: QueuedUsage;
  readonly resolve: () => void;
}

/** Calls waiting for room under `onFull: "block"`, in arrival order; each caller's promise resolves once its record is queued. */
export class ParkedCalls {
  #parked: ParkedRecord[] = [];

  /** How many calls wait. */
  get size(): number {
    return this.#parked.length;
  }

  /** Parks one call; resolves once it is admitted (or given up). */
  park(entry: QueuedUsage): Promise<void> {
    return new Promise<void>((resolve) => this.#parked.push({ entry, resolve }));
  }

  /** Admits waiting calls, oldest first, while `hasRoom()`: hands each record to `admit`, then lets its caller go on. */
  admitWhile(hasRoom: () => boolean, admit: (entry: QueuedUsage) => void): void {
    let admitted = 0;
    while (admitted < this.#parked.length && hasRoom()) {
      const parked = this.#parked[admitted++]!;
      admit(parked.entry);
      parked.resolve();
    }
    if (admitted > 0) this.#parked.splice(0, admitted);
  }

  /** Lets every waiting caller go on without its record being queued; returns those records (given up). */
  releaseAll(): QueuedUsage[] {
    const entries = this.#parked.map((parked) => parked.entry);
    for (const parked of this.#parked) parked.resolve();
    this.#parked = [];
    return entries;
  }
}
