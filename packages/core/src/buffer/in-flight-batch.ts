import type { QueuedUsage } from "./batch-writer.js";

/**
 * The batch being written: it leaves memory only once stored (or refused for good). A batch the
 * store refuses for good is split in halves, and so on down, so only the refused records are set
 * aside (about 2 log2(n) writes each).
 */
export class InFlightBatch {
  /** The records still to settle, in arrival order; replaced (never changed in place) as they settle. */
  records: QueuedUsage[] = [];
  /** Arrival position of the first of `records`. */
  start = 0;
  /** Failed attempts at writing the current part. */
  attempt = 0;
  // Sizes of the parts still to write, front first, once a refused batch has been split (empty:
  // write it whole). Their sum is the batch's length.
  #segments: number[] = [];

  /** Takes a new batch, the records from arrival position `start` on. */
  begin(records: QueuedUsage[], start: number): void {
    this.start = start;
    this.records = records;
    this.attempt = 0;
    this.#segments = [];
  }

  /** The part to write next: the first segment, or the whole batch. */
  nextPart(): QueuedUsage[] {
    const size = this.#segments[0] ?? this.records.length;
    return size === this.records.length ? this.records : this.records.slice(0, size);
  }

  /** Splits the part just refused (the first `size` records) in halves, to write each on its own. */
  split(size: number): void {
    const half = Math.ceil(size / 2);
    this.#segments.splice(0, this.#segments.length > 0 ? 1 : 0, half, size - half);
  }

  /** Drops the first `count` records, which are now settled. */
  settle(count: number): void {
    this.attempt = 0;
    // The settled records are always the whole first segment.
    this.#segments.shift();
    if (count >= this.records.length) {
      this.clear();
      return;
    }
    // A new array, not splice: onError events may still hold the old one.
    this.records = this.records.slice(count);
    this.start += count;
  }

  /** Forgets the batch (settled, or given up). */
  clear(): void {
    this.records = [];
    this.#segments = [];
  }
}
