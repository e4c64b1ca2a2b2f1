import type { NewUsageRecord } from "@llm-accounting/core";
import { tagPairs } from "../shared/tag-rows.js";
import type { BatchLayout } from "./batch-layout.js";
import { exactPart, exactRow, RollupSums, sqliteMicros } from "./batch-rollups.js";

/**
 * A batch of usage rows ready for SQLite, in columns: numbers in one Float64Array, strings as
 * indexes into a table of the batch's distinct strings, and the batch's rollup rows already
 * summed. The writer thread only binds and executes; the typed arrays move to it without a
 * copy. (Posting the records themselves costs more per record than the thread saves.) Where each
 * column sits is the `BatchLayout`'s.
 */
export interface EncodedBatch {
  readonly count: number;
  /** layout.numbersPerRow per row; a nano-dollar value beyond 2^53 is NaN here and in `largeNanos`. */
  readonly numbers: Float64Array;
  /** layout.refsPerRow per row (the timestamp's text, then layout.textFields): an index into `strings`, or -1 for null. */
  readonly refs: Int32Array;
  readonly strings: string[];
  /** Nano-dollar values a double cannot hold exactly, by their index in `numbers`, as decimal text. */
  readonly largeNanos: [number, string][];
  /** The usage_tags rows of the batch: (row in the batch, key, value). Most batches have none. */
  readonly tags: [number, string, string][];
  /**
   * usage_hourly and usage_daily_dims upsert parameters (key columns, requests, the summed
   * columns), or null when a sum could not be taken exactly in doubles (values beyond 2^53, or
   * negative ones from hand-built records): the writer then sums the batch's rows in SQL.
   */
  readonly rollups: { readonly hourly: unknown[][]; readonly daily: unknown[][] } | null;
}

/** Prisma's SQLite DateTime text form, which the rollup keys are cut from: 2025-01-15T10:30:00.123+00:00. */
export const sqliteTime = (date: Date): string => date.toISOString().replace("Z", "+00:00");

/** The rows of `records` in columns (placed as `layout` says), their rollup sums, and the buffers to transfer with them. */
export function encodeBatch(records: readonly NewUsageRecord[], layout: BatchLayout): { batch: EncodedBatch; transfer: ArrayBuffer[] } {
  const { numbersPerRow, refsPerRow, copyRow, nanosFields, nanosAt, nanosAdded, secondsField } = layout;
  const count = records.length;
  const numbers = new Float64Array(count * numbersPerRow);
  const refs = new Int32Array(count * refsPerRow);
  const strings: string[] = [];
  const index = new Map<unknown, number>();
  const largeNanos: [number, string][] = [];
  const tags: [number, string, string][] = [];
  // Rollup rows by hour then model, and by day then user, project and caller: nested maps need no
  // key strings built per row, and null stays distinct from "".
  const hourly = new Map<string, Map<string, RollupSums>>();
  const daily = new Map<string, Map<string | null, Map<string | null, Map<string | null, RollupSums>>>>();
  const lastValues: unknown[] = Array<unknown>(refsPerRow).fill(undefined);
  const lastRefs = new Int32Array(refsPerRow);
  const ref = (column: number, value: unknown): number => {
    if (value === null || value === undefined) return -1;
    // Neighbouring calls mostly share their names: skip the map for a repeat.
    if (lastValues[column] === value) return lastRefs[column]!;
    let i = index.get(value);
    if (i === undefined) {
      i = strings.length;
      strings.push(value as string);
      index.set(value, i);
    }
    lastValues[column] = value;
    lastRefs[column] = i;
    return i;
  };
  const rowNanos = nanosFields.map(() => 0n);
  // Calls of one burst share their millisecond: format it once.
  let lastMs = Number.NaN;
  let timestamp = "";
  let hourRows = new Map<string, RollupSums>();
  let dayRows = new Map<string | null, Map<string | null, Map<string | null, RollupSums>>>();
  let lastDay: RollupSums | undefined;
  let exact = true;
  for (let i = 0; i < count; i++) {
    const r = records[i]!;
    const values = r as unknown as Readonly<Record<string, unknown>>;
    // Hand-built records may leave names undefined: they are stored (and keyed) as null.
    const username = r.username ?? null;
    const project = r.project ?? null;
    const callerName = r.callerName ?? null;
    const ms = r.timestamp.getTime();
    if (ms !== lastMs) {
      lastMs = ms;
      const next = sqliteTime(r.timestamp);
      const hour = next.slice(0, 13);
      if (hour !== timestamp.slice(0, 13)) {
        hourRows = hourly.get(hour) ?? new Map();
        hourly.set(hour, hourRows);
      }
      const day = next.slice(0, 10);
      if (day !== timestamp.slice(0, 10)) {
        dayRows = daily.get(day) ?? new Map();
        daily.set(day, dayRows);
        lastDay = undefined;
      }
      timestamp = next;
    }
    const n = i * numbersPerRow;
    const s = i * refsPerRow;
    refs[s] = ref(0, timestamp);
    copyRow(r, numbers, n, refs, s, ref);
    // Records built by hand against an older contract lack the columns added since: stored as 0.
    for (let k = 0; k < nanosFields.length; k++) {
      const value = (nanosAdded[k] ? (values[nanosFields[k]!] ?? 0n) : values[nanosFields[k]!]) as bigint;
      const at = n + nanosAt[k]!;
      const x = Number(value);
      if (Number.isSafeInteger(x)) numbers[at] = x;
      else {
        numbers[at] = Number.NaN;
        largeNanos.push([at, String(value)]);
      }
      rowNanos[k] = BigInt(value);
    }
    if (r.tags) for (const [key, value] of tagPairs(r.tags)) tags.push([i, key, value]);

    const micros = sqliteMicros(values[secondsField] as number);
    if (exact) exact = exactPart(micros) && exactRow(layout, numbers, n);
    let h = hourRows.get(r.model);
    if (!h) hourRows.set(r.model, (h = new RollupSums(layout, [`${timestamp.slice(0, 13)}:00:00.000+00:00`, r.model])));
    h.add(numbers, n, rowNanos, micros);
    let d = lastDay;
    if (!d || d.username !== username || d.project !== project || d.callerName !== callerName) {
      let byProject = dayRows.get(username);
      if (!byProject) dayRows.set(username, (byProject = new Map()));
      let byCaller = byProject.get(project);
      if (!byCaller) byProject.set(project, (byCaller = new Map()));
      d = byCaller.get(callerName);
      if (!d) {
        const key = [`${timestamp.slice(0, 10)}T00:00:00.000+00:00`, username ?? "", username === null ? 1 : 0, project ?? "", project === null ? 1 : 0, callerName ?? "", callerName === null ? 1 : 0];
        byCaller.set(callerName, (d = new RollupSums(layout, key, username, project, callerName)));
      }
      lastDay = d;
    }
    d.add(numbers, n, rowNanos, micros);
  }
  const hourlySums = [...hourly.values()].flatMap((byModel) => [...byModel.values()]);
  const dailySums = [...daily.values()].flatMap((byUser) => [...byUser.values()].flatMap((byProject) => [...byProject.values()].flatMap((byCaller) => [...byCaller.values()])));
  const rollups = exact && hourlySums.every((sums) => sums.exact()) && dailySums.every((sums) => sums.exact()) ? { hourly: hourlySums.map((sums) => sums.params()), daily: dailySums.map((sums) => sums.params()) } : null;
  const batch: EncodedBatch = { count, numbers, refs, strings, largeNanos, tags, rollups };
  return { batch, transfer: [numbers.buffer as ArrayBuffer, refs.buffer as ArrayBuffer] };
}

/**
 * The columns rows [from, to) of the batch need bound, as a mask over layout.columns (the first
 * column the highest bit): those holding another value than 0 (or null) in some row. An insert
 * leaves the others to the schema, whose default for every usage column is that value (the
 * timestamp and model have no default, and are never null in a row the database takes): most calls
 * leave half the columns at it, and binding fewer makes an insert cheaper.
 */
export function columnsToBind(batch: EncodedBatch, layout: BatchLayout, from: number, to: number): number {
  const { numbers, refs } = batch;
  const { sources, numbersPerRow, refsPerRow } = layout;
  let mask = 0;
  for (let j = 0; j < sources.length; j++) {
    const source = sources[j]!;
    let bind = false;
    if (source >= 0) {
      for (let at = from * numbersPerRow + source, end = to * numbersPerRow; at < end && !bind; at += numbersPerRow) bind = numbers[at] !== 0;
    } else {
      for (let at = from * refsPerRow - 1 - source, end = to * refsPerRow; at < end && !bind; at += refsPerRow) bind = refs[at] !== -1;
    }
    mask = mask * 2 + (bind ? 1 : 0);
  }
  return mask;
}

/** The indexes in layout.columns of the columns a `columnsToBind` mask picks, in column order. */
export function maskedColumns(layout: BatchLayout, mask: number): number[] {
  const width = layout.columns.length;
  return layout.columns.flatMap((_, j) => (Math.floor(mask / 2 ** (width - 1 - j)) % 2 === 1 ? [j] : []));
}

/** Writes row `row` of the batch as the parameters of the columns `sources` picks (all: `layout.sources`) into `into` at `at`. */
export function rowParams(batch: EncodedBatch, layout: BatchLayout, largeNanos: Map<number, string>, sources: Int32Array, row: number, into: unknown[], at: number): void {
  const { numbers, refs, strings } = batch;
  const n = row * layout.numbersPerRow;
  const s = row * layout.refsPerRow;
  for (let j = 0; j < sources.length; j++) {
    const source = sources[j]!;
    if (source < 0) {
      // A missing model stays null, so the database refuses the batch.
      const i = refs[s - 1 - source]!;
      into[at + j] = i < 0 ? null : strings[i]!;
    } else {
      const x = numbers[n + source]!;
      // NaN: a nano-dollar value beyond 2^53 (kept as text), or a bad count of a hand-built record (bound as it is).
      into[at + j] = x === x ? x : nanValue(largeNanos, n + source, x);
    }
  }
}

function nanValue(largeNanos: Map<number, string>, at: number, x: number): unknown {
  const large = largeNanos.get(at);
  return large === undefined ? x : BigInt(large);
}
