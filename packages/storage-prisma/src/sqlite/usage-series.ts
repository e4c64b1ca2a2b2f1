
/** The columns of a usage row a quota sum needs. */
export interface QuotaRow {
  readonly ts: number;
  readonly model: string;
  readonly username: string | null;
  readonly callerName: string | null;
  readonly project: string | null;
  readonly input: number;
  readonly output: number;
  readonly total: number;
  /** Nano-dollars; exact as a number up to 2^53 (about 9 million USD) per series. */
  readonly cost: number;
}

/** Sums of a series over a time range. */
export interface SeriesSums {
  readonly requests: number;
  readonly input: number;
  readonly output: number;
  readonly total: number;
  readonly cost: number;
  readonly oldest: number | null;
}

/**
 * The rows one filter counts, from `from` on, sorted by time, with prefix sums: any range sum is
 * two binary searches. Appends are O(1); a row older than the newest (clock skew between
 * processes, back-dated tracking) is spliced in and the prefix sums after it rebuilt.
 */
export class UsageSeries {
  from: number;
  #ts: number[] = [];
  // Prefix sums: index i holds the sum of the first i rows.
  #input: number[] = [0];
  #output: number[] = [0];
  #total: number[] = [0];
  #cost: number[] = [0];

  constructor(from: number) {
    this.from = from;
  }

  get size(): number {
    return this.#ts.length;
  }

  /** Adds a row (ignored when older than `from`, which the series does not cover). */
  add(row: QuotaRow): void {
    if (row.ts < this.from) return;
    const n = this.#ts.length;
    if (n === 0 || row.ts >= this.#ts[n - 1]!) {
      this.#ts.push(row.ts);
      this.#input.push(this.#input[n]! + row.input);
      this.#output.push(this.#output[n]! + row.output);
      this.#total.push(this.#total[n]! + row.total);
      this.#cost.push(this.#cost[n]! + row.cost);
      return;
    }
    const at = upperBound(this.#ts, row.ts);
    this.#ts.splice(at, 0, row.ts);
    for (const [prefix, value] of [[this.#input, row.input], [this.#output, row.output], [this.#total, row.total], [this.#cost, row.cost]] as const) {
      prefix.splice(at + 1, 0, prefix[at]! + value);
      for (let i = at + 2; i < prefix.length; i++) prefix[i]! += value;
    }
  }

  /** Sums rows with `start <= ts <= end`. */
  sum(start: number, end: number): SeriesSums {
    const lo = lowerBound(this.#ts, start);
    const hi = upperBound(this.#ts, end);
    if (hi <= lo) return { requests: 0, input: 0, output: 0, total: 0, cost: 0, oldest: null };
    return {
      requests: hi - lo,
      input: this.#input[hi]! - this.#input[lo]!,
      output: this.#output[hi]! - this.#output[lo]!,
      total: this.#total[hi]! - this.#total[lo]!,
      cost: this.#cost[hi]! - this.#cost[lo]!,
      oldest: this.#ts[lo]!,
    };
  }

  /**
   * The timestamp of the row at which the running sum of `column` over rows with
   * `start <= ts <= end`, oldest first, reaches `amount` (null if it never does): a binary
   * search on the prefix sums. `requests` counts rows.
   */
  reachedAt(start: number, end: number, column: "requests" | "input" | "output" | "total" | "cost", amount: number): number | null {
    const lo = lowerBound(this.#ts, start);
    const hi = upperBound(this.#ts, end);
    const prefix = column === "requests" ? null : { input: this.#input, output: this.#output, total: this.#total, cost: this.#cost }[column];
    const sumTo = (i: number) => (prefix === null ? i - lo : prefix[i]! - prefix[lo]!);
    if (amount <= 0 || hi <= lo || sumTo(hi) < amount) return null;
    // The smallest count c of rows from lo on whose sum reaches the amount; the row is lo + c - 1.
    let a = lo + 1;
    let b = hi;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (sumTo(mid) >= amount) b = mid;
      else a = mid + 1;
    }
    return this.#ts[a - 1]!;
  }

  /** Forgets rows before `time` once they are a large share, keeping memory proportional to the window. */
  trimBefore(time: number): void {
    const cut = lowerBound(this.#ts, time);
    if (cut < 4096 || cut * 2 < this.#ts.length) return;
    this.#ts.splice(0, cut);
    for (const prefix of [this.#input, this.#output, this.#total, this.#cost]) {
      const base = prefix[cut]!;
      prefix.splice(0, cut);
      for (let i = 0; i < prefix.length; i++) prefix[i]! -= base;
    }
    this.from = time;
  }
}

function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
