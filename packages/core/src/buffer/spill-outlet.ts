import type { UsageInput } from "../usage/usage-input.js";
import type { BufferErrorEvent } from "./buffer-options.js";

/**
 * Hands the calls that did not fit to the `spill` callback in arrival order: at once when a
 * batch's worth waits, else on the next microtask; one spill runs at a time, and a failing one
 * is reported (stage "spill"), never retried.
 */
export class SpillOutlet {
  readonly #spill: ((records: UsageInput[]) => void | Promise<void>) | undefined;
  readonly #batchSize: number;
  readonly #report: (event: BufferErrorEvent) => void;
  #pending: UsageInput[] = [];
  #scheduled = false;
  #spilling: Promise<void> = Promise.resolve();

  constructor(spill: ((records: UsageInput[]) => void | Promise<void>) | undefined, batchSize: number, report: (event: BufferErrorEvent) => void) {
    this.#spill = spill;
    this.#batchSize = batchSize;
    this.#report = report;
  }

  /** Calls waiting to be handed over. */
  get pending(): number {
    return this.#pending.length;
  }

  /** Settles once every spill handed over so far has. */
  get settled(): Promise<void> {
    return this.#spilling;
  }

  /** Takes one call to spill. */
  add(input: UsageInput): void {
    this.#pending.push(input);
    if (this.#pending.length >= this.#batchSize) this.deliver();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => this.deliver());
    }
  }

  /** Hands every waiting call over now (after the spill running, if any). */
  deliver(): void {
    this.#scheduled = false;
    if (this.#pending.length === 0) return;
    const records = this.#pending;
    this.#pending = [];
    const spill = this.#spill!;
    this.#spilling = this.#spilling.then(async () => {
      try {
        await spill(records);
      } catch (error) {
        this.#report({ stage: "spill", error, records, attempt: 1, willRetry: false });
      }
    });
  }
}
