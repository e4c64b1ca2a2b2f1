import { fieldCode } from "../shared/field-code.js";

// Imports nothing of core: batch-layout.ts (which the writer thread loads) builds one per layout.

/** Copies a record's token, seconds and text columns into its row of an encoded batch (see encodeBatch). */
export type RowCopy = (record: object, numbers: Float64Array, n: number, refs: Int32Array, s: number, ref: (column: number, value: unknown) => number) => void;

/** The numeric and text fields a row copy reads, and where they go. */
export interface RowCopyPlan {
  /** Fields copied into the row's numbers as they are, their index there, and whether records may lack them (then 0). */
  readonly plainFields: readonly string[];
  readonly plainAt: Int32Array;
  readonly plainAdded: readonly boolean[];
  /** Fields kept as refs 1, 2, ... (ref 0 is the timestamp's text). */
  readonly textFields: readonly string[];
}

/**
 * The row copy of a plan: straight-line code generated once, one statement a field, e.g.
 * `numbers[n + 0] = record.promptTokens;` and `refs[s + 1] = ref(1, record.model);` (see
 * `fieldCode` for why; through a loop over the names, encoding a batch took 2.5 times as long, on
 * the thread that takes the application's calls).
 */
export function rowCopy(plan: RowCopyPlan): RowCopy {
  const lines = [
    // Records built by hand against an older contract lack the columns added since: stored as 0.
    ...plan.plainFields.map((field, k) => `numbers[n + ${plan.plainAt[k]}] = record.${field}${plan.plainAdded[k] ? " ?? 0" : ""};`),
    ...plan.textFields.map((field, k) => `refs[s + ${k + 1}] = ref(${k + 1}, record.${field});`),
  ];
  return fieldCode<RowCopy>([...plan.plainFields, ...plan.textFields], ["record", "numbers", "n", "refs", "s", "ref"], lines.join("\n"));
}
