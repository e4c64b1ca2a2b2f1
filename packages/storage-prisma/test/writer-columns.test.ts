import { describe, expect, it } from "vitest";
import { ROLLUP_SUMMED, USAGE_COLUMNS } from "../src/shared/sql-columns.js";
import * as writer from "../src/sqlite/writer-columns.js";

// The writer thread cannot load core, so it keeps its own copy of the lists derived from core's table.
describe("the writer thread's column lists", () => {
  it("are the ones derived from core's USAGE_RECORD_COLUMNS", () => {
    expect([...writer.USAGE_COLUMNS]).toEqual([...USAGE_COLUMNS]);
    expect([...writer.ROLLUP_SUMMED]).toEqual([...ROLLUP_SUMMED]);
  });
});
