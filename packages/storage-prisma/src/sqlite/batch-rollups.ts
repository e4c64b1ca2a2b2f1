import type { BatchLayout } from "./batch-layout.js";

/**
 * CAST(round(seconds * 1000000) AS INTEGER) as SQLite computes it for the triggers: round() is C
 * truncation of x ± 0.5, and leaves values beyond 2^52 as they are (they are whole already).
 * Results beyond 2^53 are not exact here; the caller then leaves the sums to SQL.
 */
export function sqliteMicros(seconds: number): number {
  const x = seconds * 1_000_000;
  if (x > 4503599627370496 || x < -4503599627370496) return x;
  return Math.trunc(x < 0 ? x - 0.5 : x + 0.5);
}

/** Whether a sum of such values is exact in doubles: every value a whole number in [0, 2^53). */
export const exactPart = (x: number): boolean => x >= 0 && x <= Number.MAX_SAFE_INTEGER && Number.isInteger(x);

/** Whether a row's summed counts (in its numbers from `n`) can be summed exactly in doubles. */
export function exactRow(layout: BatchLayout, numbers: Float64Array, n: number): boolean {
  const { countsAt } = layout;
  for (let k = 0; k < countsAt.length; k++) {
    const x = numbers[n + countsAt[k]!]!;
    // Most counts are small: one unsigned 32-bit comparison settles those.
    if (x >>> 0 !== x && !exactPart(x)) return false;
  }
  return true;
}

/** One rollup row being summed: its key values, then the request count and the summed columns (layout.rollupColumns, then execution_micros). */
export class RollupSums {
  readonly key: unknown[];
  // The daily row's names, to recognise the next call's row without a lookup.
  readonly username: string | null;
  readonly project: string | null;
  readonly callerName: string | null;
  requests = 0;
  micros = 0;
  readonly #layout: BatchLayout;
  // The summed counts (layout.countsAt order), and nano-dollars (nanosFields order).
  readonly #sums: Float64Array;
  readonly #nanos: bigint[];

  constructor(layout: BatchLayout, key: unknown[], username: string | null = null, project: string | null = null, callerName: string | null = null) {
    this.#layout = layout;
    this.key = key;
    this.username = username;
    this.project = project;
    this.callerName = callerName;
    this.#sums = new Float64Array(layout.countsAt.length);
    this.#nanos = layout.nanosFields.map(() => 0n);
  }

  /** Adds a row: its numbers from `n`, its nano-dollar values (nanosFields order) and its execution time in microseconds. */
  add(numbers: Float64Array, n: number, nanos: readonly bigint[], micros: number): void {
    const { countsAt } = this.#layout;
    const sums = this.#sums;
    this.requests++;
    for (let k = 0; k < countsAt.length; k++) sums[k]! += numbers[n + countsAt[k]!]!;
    for (let k = 0; k < nanos.length; k++) this.#nanos[k]! += nanos[k]!;
    this.micros += micros;
  }

  /** Whether every sum is still exact (a whole number below 2^53; the parts were checked when added). */
  exact(): boolean {
    return this.requests >= 0 && this.micros <= Number.MAX_SAFE_INTEGER && this.#sums.every((sum) => sum <= Number.MAX_SAFE_INTEGER);
  }

  /** The upsert parameters: key values, requests, the rollup columns' sums, execution_micros. */
  params(): unknown[] {
    const sums = Array.from(this.#layout.rollupFrom, (from) => (from >= 0 ? this.#sums[from] : this.#nanos[-1 - from]));
    return [...this.key, this.requests, ...sums, this.micros];
  }
}
