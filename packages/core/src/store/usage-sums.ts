import type { NewUsageRecord } from "./usage-record.js";
import { SUMMED_USAGE_COLUMNS } from "./usage-columns.js";
import type { UsageTotals } from "./usage-totals.js";

type Sums = Record<string, number | bigint>;

/** Totals of an empty set: zero requests and a zero of each summed column. */
export const EMPTY_TOTALS: UsageTotals = Object.freeze(
  Object.fromEntries([["requests", 0], ...SUMMED_USAGE_COLUMNS.map((c) => [c.field, c.kind === "nanos" ? 0n : 0])]) as unknown as UsageTotals,
);

/** `a` plus `b`, column by column (execution times added as they are). */
export function addTotals(a: UsageTotals, b: UsageTotals): UsageTotals {
  return addInto(a, b, b.requests);
}

/** Totals plus one record (execution time added as it is). */
export function addRecord(totals: UsageTotals, record: NewUsageRecord): UsageTotals {
  return addInto(totals, record, 1);
}

function addInto(totals: UsageTotals, more: UsageTotals | NewUsageRecord, requests: number): UsageTotals {
  const t = totals as unknown as Sums;
  const m = more as unknown as Sums;
  const out: Sums = { requests: totals.requests + requests };
  for (const c of SUMMED_USAGE_COLUMNS) out[c.field] = c.kind === "nanos" ? (t[c.field] as bigint) + (m[c.field] as bigint) : (t[c.field] as number) + (m[c.field] as number);
  return out as unknown as UsageTotals;
}

/**
 * Totals of records as every store must report them: execution times are summed in whole
 * microseconds, as the SQL stores keep them (adding the doubles would differ in the last digits).
 */
export function totalsOfRecords(rows: readonly NewUsageRecord[]): UsageTotals {
  if (rows.length === 0) return EMPTY_TOTALS;
  const records = rows as unknown as readonly Sums[];
  const t: Sums = { ...(EMPTY_TOTALS as unknown as Sums), requests: rows.length };
  // Column by column: one field per loop keeps the property reads fast.
  for (const { field, kind } of SUMMED_USAGE_COLUMNS) {
    if (kind === "nanos") {
      let sum = 0n;
      for (const r of records) sum += r[field] as bigint;
      t[field] = sum;
    } else if (kind === "seconds") {
      let micros = 0;
      for (const r of records) micros += Math.round((r[field] as number) * 1e6);
      t[field] = micros / 1e6;
    } else {
      let sum = 0;
      for (const r of records) sum += r[field] as number;
      t[field] = sum;
    }
  }
  return t as unknown as UsageTotals;
}
