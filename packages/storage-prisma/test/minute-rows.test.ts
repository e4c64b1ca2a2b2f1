import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MinuteRows, type Amounts } from "../src/sqlite/minute-rows.js";

const rowArb = fc.record({ ts: fc.integer({ min: 0, max: 59_999 }), n: fc.integer({ min: 1, max: 5 }), input: fc.nat(1000), output: fc.nat(1000), cost: fc.bigInt({ min: 0n, max: 10_000_000n }) });
const zero = (): Amounts => ({ requests: 0, input: 0, output: 0, total: 0, cost: 0n });

describe("MinuteRows", () => {
  it("sums the rows (groups of rows at one instant) between two instants like a plain filter, in any arrival order", () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 60 }), fc.array(fc.tuple(fc.integer({ min: -5, max: 60_005 }), fc.integer({ min: -5, max: 60_005 })), { minLength: 1, maxLength: 10 }), (rows, ranges) => {
        const minute = new MinuteRows();
        for (const r of rows) minute.insert(r.ts, { requests: r.n, input: r.input, output: r.output, total: r.input + r.output, cost: r.cost });
        for (const [from, to] of ranges) {
          const got = zero();
          minute.addBetween(got, from, to);
          const inside = rows.filter((r) => r.ts >= from && r.ts <= to);
          expect(got).toEqual({
            requests: inside.reduce((s, r) => s + r.n, 0),
            input: inside.reduce((s, r) => s + r.input, 0),
            output: inside.reduce((s, r) => s + r.output, 0),
            total: inside.reduce((s, r) => s + r.input + r.output, 0),
            cost: inside.reduce((s, r) => s + r.cost, 0n),
          });
        }
      }),
      { numRuns: 300 },
    );
  });
});
