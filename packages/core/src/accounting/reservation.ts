import type { UsageRecordResult } from "../json/usage-json.js";
import type { UsageInput } from "../usage/usage-input.js";

/** The actual usage of a reserved call; names and model default to the reservation's. */
export type ReservedUsage = Omit<UsageInput, "model"> & { model?: string };

/** What a reservation does when committed or cancelled (provided by the facade). */
interface ReservationActions {
  commit(usage: ReservedUsage): Promise<UsageRecordResult>;
  cancel(): Promise<boolean>;
}

/** Budget held for one call in flight: commit it with the actual usage, or cancel it. Settles once. */
export class Reservation {
  readonly id: number;
  readonly #actions: ReservationActions;
  #settled = false;
  #busy = false;

  constructor(id: number, actions: ReservationActions) {
    this.id = id;
    this.#actions = actions;
  }

  /** Replaces the reservation with the call's actual usage record (atomically); returns the record. */
  commit(usage: ReservedUsage): Promise<UsageRecordResult> {
    return this.#settle(() => this.#actions.commit(usage));
  }

  /** Releases the reserved budget; false when it had already expired and been swept. */
  cancel(): Promise<boolean> {
    return this.#settle(() => this.#actions.cancel());
  }

  // Settled only once the action succeeds: a commit refused (bad usage, store down) leaves the
  // reservation open, so the caller can fix and retry, or cancel it instead of stranding budget.
  async #settle<T>(action: () => Promise<T>): Promise<T> {
    if (this.#settled) throw new Error(`reservation ${this.id} was already committed or cancelled`);
    if (this.#busy) throw new Error(`reservation ${this.id} is being committed or cancelled`);
    this.#busy = true;
    try {
      const result = await action();
      this.#settled = true;
      return result;
    } finally {
      this.#busy = false;
    }
  }
}
