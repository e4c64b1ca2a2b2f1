import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { totalsOfRecords, USAGE_RECORD_COLUMNS, type NewUsageRecord } from "@llm-accounting/core";
import { SqliteStore } from "../src/index.js";
import { batchLayout } from "../src/sqlite/batch-layout.js";
import { columnsToBind, encodeBatch, maskedColumns, rowParams } from "../src/sqlite/batch-encoding.js";
import { usageParams } from "../src/sqlite/sqlite-statements.js";

// The batch path lays records out by core's column table, which the writer thread is handed when
// it starts (it does not load core). These cases build their records from the same table, so a
// column added to it is covered here without a change.
const dir = mkdtempSync(join(tmpdir(), "llm-acct-batch-layout-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.parse("2025-03-01T10:00:00.000Z");
const layout = batchLayout(USAGE_RECORD_COLUMNS);

/** Record `i` with every column set to a value of its own (none at its default). */
function everyColumnSet(i: number, costNanos?: bigint): NewUsageRecord {
  const values: Record<string, unknown> = {};
  USAGE_RECORD_COLUMNS.forEach((c, k) => {
    const v = { tokens: 1000 * (k + 1) + i, nanos: 10n ** 9n * BigInt(k + 1) + BigInt(i), seconds: 0.25 * (k + 1) + i / 1000, costSource: "price", instant: new Date(T0 + i * 1000), flag: true };
    values[c.field] = c.kind === "model" || c.kind === "name" ? `${c.field}-${i % 3}` : v[c.kind];
  });
  if (costNanos !== undefined) values.costNanos = costNanos;
  return values as unknown as NewUsageRecord;
}

/** Record `i` with every column but the time, the model and the cost at its default (0 or null). */
function lean(i: number): NewUsageRecord {
  const values: Record<string, unknown> = {};
  for (const c of USAGE_RECORD_COLUMNS) values[c.field] = c.kind === "tokens" || c.kind === "seconds" ? 0 : c.kind === "nanos" ? 0n : c.kind === "flag" ? false : null;
  return { ...(values as unknown as NewUsageRecord), timestamp: new Date(T0 + i * 1000), model: "m", costNanos: BigInt(i) };
}

// Integers compare alike whether bound as a number or a bigint.
const comparable = (values: unknown[]) => values.map((v) => (typeof v === "bigint" || (typeof v === "number" && Number.isInteger(v)) ? BigInt(v) : v));

describe("the batch layout", () => {
  it("binds every column of a batch row as the single insert binds the record", () => {
    const records = [everyColumnSet(0), everyColumnSet(1, 2n ** 60n + 7n), lean(2)];
    const { batch } = encodeBatch(records, layout);
    const largeNanos = new Map(batch.largeNanos);
    records.forEach((record, row) => {
      const params = new Array<unknown>(layout.columns.length);
      rowParams(batch, layout, largeNanos, layout.sources, row, params, 0);
      expect(comparable(params)).toEqual(comparable(usageParams(record)));
    });
  });

  it("binds, of a run of rows, the columns some row holds a value other than the default in", () => {
    const rows = Array.from({ length: 25 }, (_, i) => lean(i));
    const bound = (records: NewUsageRecord[]) => maskedColumns(layout, columnsToBind(encodeBatch(records, layout).batch, layout, 0, records.length)).map((j) => layout.columns[j]);
    expect(bound(rows)).toEqual(["timestamp", "model", "cost_nanos"]);
    const named = USAGE_RECORD_COLUMNS.find((c) => c.kind === "name")!;
    const counted = USAGE_RECORD_COLUMNS.filter((c) => c.kind === "tokens").at(-1)!;
    rows[24] = { ...rows[24]!, [named.field]: "x", [counted.field]: 3 };
    expect(bound(rows)).toEqual(USAGE_RECORD_COLUMNS.map((c) => c.name).filter((name) => ["timestamp", "model", "cost_nanos", named.name, counted.name].includes(name)));
    expect(bound(Array.from({ length: 25 }, (_, i) => everyColumnSet(i)))).toEqual(layout.columns);
  });

  it("refuses a column list it cannot lay out", () => {
    expect(() => batchLayout(USAGE_RECORD_COLUMNS.filter((c) => c.kind !== "seconds"))).toThrow(/one summed seconds column/);
    expect(() => batchLayout(USAGE_RECORD_COLUMNS.map((c) => (c.kind === "tokens" ? { ...c, field: "a.b" } : c)))).toThrow(/not an identifier: "a.b"/);
  });

  for (const writerThread of [true, false]) {
    it(`stores every column of a batch and reads it back (${writerThread ? "on the writer thread" : "inline"})`, async () => {
      const store = new SqliteStore({ file: join(dir, `round-trip-${writerThread}.sqlite`), writerThread });
      try {
        // Runs of 25 rows go through multi-row inserts (all columns bound, then few), the rest one by one.
        const records = [...Array.from({ length: 30 }, (_, i) => everyColumnSet(i, i === 3 ? 2n ** 62n : undefined)), ...Array.from({ length: 30 }, (_, i) => lean(30 + i))];
        await store.insertUsageBatch(records);
        const read = await store.usageInRange({ start: new Date(T0), end: new Date(T0 + 3_600_000) }, 0, 1000);
        expect(read).toEqual(records.map((r, i) => ({ id: i + 1, ...r })));
        expect(Object.keys(read[0]!)).toEqual(["id", ...USAGE_RECORD_COLUMNS.map((c) => c.field)]);
        // A whole hour is summed from usage_hourly, which the batch's own sums filled in.
        expect(await store.sumUsage({ start: new Date(T0), end: new Date(T0 + 3_600_000 - 1) })).toEqual(totalsOfRecords(records));
      } finally {
        await store.close();
      }
    });
  }
});
