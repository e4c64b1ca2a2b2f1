import type { CostSource } from "./usage-record.js";

/** A new cost for a stored record (from `reprice`). */
export interface CostChange {
  /** The usage record to change. */
  readonly id: number;
  /** Its new cost, in nano-dollars. */
  readonly costNanos: bigint;
  /** Where the new cost comes from. */
  readonly costSource: CostSource;
}
