import { rowCopy, type RowCopy, type RowCopyPlan } from "./batch-row-copy.js";

// Imports nothing of core: the SQLite writer thread loads it, and must not load
// @llm-accounting/core. The thread is handed core's column table (USAGE_RECORD_COLUMNS) as data
// when it starts and builds the same layout from it as the store's thread, so the two cannot disagree.

/** What the batch code reads of a usage column: core's `UsageColumn`, as plain data. */
export interface BatchColumn {
  readonly name: string;
  readonly field: string;
  readonly kind: string;
  readonly summed: boolean;
  readonly original: boolean;
}

/**
 * Where an encoded batch (see batch-encoding.ts) keeps each usage column, worked out once from
 * the column list: numeric columns (tokens, nano-dollars, seconds, flags) in a row's numbers, text
 * columns (the timestamp's text, the model, names, cost source) as refs into the batch's strings.
 */
export interface BatchLayout extends RowCopyPlan {
  /** accounting_entries columns, in insert parameter order (the list's). */
  readonly columns: readonly string[];
  /** Per column, in `columns` order: an index into a row's numbers (>= 0), or `-1 - i` for index i of its refs. */
  readonly sources: Int32Array;
  readonly numbersPerRow: number;
  readonly refsPerRow: number;
  /** Copies the plain (token and seconds) and text fields of a record into its row (the plan is the layout's). */
  readonly copyRow: RowCopy;
  /** Nano-dollar fields (bigint; beyond 2^53 kept as NaN and decimal text) and their index in a row's numbers. */
  readonly nanosFields: readonly string[];
  readonly nanosAt: Int32Array;
  readonly nanosAdded: readonly boolean[];
  /** The seconds column the rollups keep in whole microseconds (as execution_micros): its field and column name. */
  readonly secondsField: string;
  readonly secondsColumn: string;
  /** The columns the rollup tables sum as they are (all summed ones but the seconds), in their order. */
  readonly rollupColumns: readonly string[];
  /** The index in a row's numbers of each summed count (the rollup columns but the nano-dollar ones), in rollup order. */
  readonly countsAt: Int32Array;
  /** Per rollup column: its index among the summed counts (>= 0), or `-1 - k` for nano-dollar field k. */
  readonly rollupFrom: Int32Array;
}

// A flag is kept as a number too (0 or 1, as SQLite stores it).
const NUMERIC_KINDS = new Set(["tokens", "nanos", "seconds", "flag"]);

/** The layout of `columns` (core's USAGE_RECORD_COLUMNS, or the copy the writer thread was given). */
export function batchLayout(columns: readonly BatchColumn[]): BatchLayout {
  const only = (kind: string, summed?: boolean): BatchColumn => {
    const found = columns.filter((c) => c.kind === kind && (summed === undefined || c.summed === summed));
    if (found.length !== 1) throw new Error(`the SQLite batch layout needs exactly one ${summed ? "summed " : ""}${kind} column (got ${found.length})`);
    return found[0]!;
  };
  only("instant");
  only("model");
  const seconds = only("seconds", true);
  const numeric = columns.filter((c) => NUMERIC_KINDS.has(c.kind));
  const text = columns.filter((c) => !NUMERIC_KINDS.has(c.kind) && c.kind !== "instant");
  const numberAt = (c: BatchColumn) => numeric.indexOf(c);
  const plain = numeric.filter((c) => c.kind !== "nanos");
  const nanos = numeric.filter((c) => c.kind === "nanos");
  const rollup = columns.filter((c) => c.summed && c.kind !== "seconds");
  const counts = rollup.filter((c) => c.kind !== "nanos");
  // A mask of one bit per column picks the columns a multi-row insert binds (batch-writer.ts).
  if (columns.length > 53) throw new Error(`the SQLite batch layout takes at most 53 columns (got ${columns.length})`);
  if (rollup.some((c) => !NUMERIC_KINDS.has(c.kind))) throw new Error("the SQLite batch layout sums numeric columns only");
  const copy: RowCopyPlan = {
    plainFields: plain.map((c) => c.field),
    plainAt: Int32Array.from(plain, numberAt),
    plainAdded: plain.map((c) => !c.original),
    textFields: text.map((c) => c.field),
  };
  return {
    ...copy,
    copyRow: rowCopy(copy),
    columns: columns.map((c) => c.name),
    sources: Int32Array.from(columns, (c) => (c.kind === "instant" ? -1 : NUMERIC_KINDS.has(c.kind) ? numberAt(c) : -2 - text.indexOf(c))),
    numbersPerRow: numeric.length,
    refsPerRow: 1 + text.length,
    nanosFields: nanos.map((c) => c.field),
    nanosAt: Int32Array.from(nanos, numberAt),
    nanosAdded: nanos.map((c) => !c.original),
    secondsField: seconds.field,
    secondsColumn: seconds.name,
    rollupColumns: rollup.map((c) => c.name),
    countsAt: Int32Array.from(counts, numberAt),
    rollupFrom: Int32Array.from(rollup, (c) => (c.kind === "nanos" ? -1 - nanos.indexOf(c) : counts.indexOf(c))),
  };
}
