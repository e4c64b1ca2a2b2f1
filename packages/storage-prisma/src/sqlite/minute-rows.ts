/** Amounts of one row or one sum; cost in nano-dollars. */
export interface Amounts {
  requests: number;
  input: number;
  output: number;
  total: number;
  cost: bigint;
}

/**
 * The rows of one filter in one minute, by time, with running sums: the rows between two
 * instants are two binary searches and a subtraction, however many rows a busy minute holds.
 * An entry may stand for several rows stamped with the same instant (`requests` of them). Rows
 * nearly always arrive in time order (appended); a back-dated one is inserted in place.
 */
export class MinuteRows {
  readonly #ts: number[] = [];
  // Running sums: index i holds the sum of the first i rows (index 0 is zero).
  readonly #requests: number[] = [0];
  readonly #input: number[] = [0];
  readonly #output: number[] = [0];
  readonly #total: number[] = [0];
  readonly #cost: bigint[] = [0n];
  /** The last check that read these rows (for pruning). */
  used = 0;

  /** Adds `row.requests` rows stamped `ts` with these summed amounts. */
  insert(ts: number, row: Amounts): void {
    const n = this.#ts.length;
    if (n === 0 || ts >= this.#ts[n - 1]!) {
      this.#ts.push(ts);
      this.#requests.push(this.#requests[n]! + row.requests);
      this.#input.push(this.#input[n]! + row.input);
      this.#output.push(this.#output[n]! + row.output);
      this.#total.push(this.#total[n]! + row.total);
      this.#cost.push(this.#cost[n]! + row.cost);
      return;
    }
    const at = this.#firstAfter(ts);
    this.#ts.splice(at, 0, ts);
    this.#requests.splice(at + 1, 0, this.#requests[at]! + row.requests);
    this.#input.splice(at + 1, 0, this.#input[at]! + row.input);
    this.#output.splice(at + 1, 0, this.#output[at]! + row.output);
    this.#total.splice(at + 1, 0, this.#total[at]! + row.total);
    this.#cost.splice(at + 1, 0, this.#cost[at]! + row.cost);
    for (let i = at + 2; i <= n + 1; i++) {
      this.#requests[i]! += row.requests;
      this.#input[i]! += row.input;
      this.#output[i]! += row.output;
      this.#total[i]! += row.total;
      this.#cost[i]! += row.cost;
    }
  }

  /** Adds the rows with `from <= ts <= to` to `acc`. */
  addBetween(acc: Amounts, from: number, to: number): void {
    const lo = this.#firstAtOrAfter(from);
    const hi = this.#firstAfter(to);
    if (hi <= lo) return;
    acc.requests += this.#requests[hi]! - this.#requests[lo]!;
    acc.input += this.#input[hi]! - this.#input[lo]!;
    acc.output += this.#output[hi]! - this.#output[lo]!;
    acc.total += this.#total[hi]! - this.#total[lo]!;
    acc.cost += this.#cost[hi]! - this.#cost[lo]!;
  }

  /** The number of rows with ts < `at`. */
  #firstAtOrAfter(at: number): number {
    let lo = 0;
    let hi = this.#ts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#ts[mid]! < at) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The number of rows with ts <= `at`. */
  #firstAfter(at: number): number {
    let lo = 0;
    let hi = this.#ts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#ts[mid]! <= at) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
