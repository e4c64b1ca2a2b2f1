import type { NewUsageRecord } from "@llm-accounting/core";
import { tagPairs } from "../shared/tag-rows.js";

/**
 * A batch of usage rows ready for SQLite, in columns: numbers in one Float64Array, strings as
 * indexes into a table of the batch's distinct strings, and the batch's rollup rows already
 * summed. The writer thread only binds and executes; the typed arrays move to it without a
 * copy. (Posting the records themselves costs more per record than the thread saves.)
 */
export interface EncodedBatch {
  readonly count: number;
  /** NUMBERS_PER_ROW per row, in USAGE_COLUMNS order from prompt_tokens to cache_write_tokens; a cost beyond 2^53 is NaN here and in `largeCosts`. */
  readonly numbers: Float64Array;
  /** REFS_PER_ROW per row (timestamp, model, cost_source, provider, caller_name, username, project, session): an index into `strings`, or -1 for null. */
  readonly refs: Int32Array;
  readonly strings: string[];
  /** Costs a double cannot hold exactly, by row, as decimal text. */
  readonly largeCosts: [number, string][];
  /** The usage_tags rows of the batch: (row in the batch, key, value). Most batches have none. */
  readonly tags: [number, string, string][];
  /**
   * usage_hourly and usage_daily_dims upsert parameters (key columns, requests, the summed
   * columns), or null when a sum could not be taken exactly in doubles (values beyond 2^53, or
   * negative ones from hand-built records): the writer then sums the batch's rows in SQL.
   */
  readonly rollups: { readonly hourly: unknown[][]; readonly daily: unknown[][] } | null;
}

export const NUMBERS_PER_ROW = 11;
export const REFS_PER_ROW = 8;

/** Prisma's SQLite DateTime text form, which the rollup keys are cut from: 2025-01-15T10:30:00.123+00:00. */
export const sqliteTime = (date: Date): string => date.toISOString().replace("Z", "+00:00");

/**
 * CAST(round(seconds * 1000000) AS INTEGER) as SQLite computes it for the triggers: round() is C
 * truncation of x ± 0.5, and leaves values beyond 2^52 as they are (they are whole already).
 * Results beyond 2^53 are not exact here; the caller then leaves the sums to SQL.
 */
function sqliteMicros(seconds: number): number {
  const x = seconds * 1_000_000;
  if (x > 4503599627370496 || x < -4503599627370496) return x;
  return Math.trunc(x < 0 ? x - 0.5 : x + 0.5);
}

/** Whether a sum of such values is exact in doubles: every value a whole number in [0, 2^53). */
const exactPart = (x: number): boolean => x >= 0 && x <= Number.MAX_SAFE_INTEGER && Number.isInteger(x);

/** One rollup row being summed: its key values, then the request count and the summed columns. */
class RollupSums {
  readonly key: unknown[];
  // The daily row's names, to recognise the next call's row without a lookup.
  readonly username: string | null;
  readonly project: string | null;
  readonly callerName: string | null;
  requests = 0;
  prompt = 0;
  completion = 0;
  total = 0;
  localPrompt = 0;
  localCompletion = 0;
  localTotal = 0;
  cached = 0;
  reasoning = 0;
  cost = 0n;
  micros = 0;

  constructor(key: unknown[], username: string | null = null, project: string | null = null, callerName: string | null = null) {
    this.key = key;
    this.username = username;
    this.project = project;
    this.callerName = callerName;
  }

  add(r: NewUsageRecord, micros: number): void {
    this.requests++;
    this.prompt += r.promptTokens;
    this.completion += r.completionTokens;
    this.total += r.totalTokens;
    this.localPrompt += r.localPromptTokens;
    this.localCompletion += r.localCompletionTokens;
    this.localTotal += r.localTotalTokens;
    this.cached += r.cachedTokens;
    this.reasoning += r.reasoningTokens;
    this.cost += BigInt(r.costNanos);
    this.micros += micros;
  }

  /** Whether every sum is still exact (a whole number below 2^53; the parts were checked when added). */
  exact(): boolean {
    return this.requests >= 0 && [this.prompt, this.completion, this.total, this.localPrompt, this.localCompletion, this.localTotal, this.cached, this.reasoning, this.micros].every((sum) => sum <= Number.MAX_SAFE_INTEGER);
  }

  params(): unknown[] {
    return [...this.key, this.requests, this.prompt, this.completion, this.total, this.localPrompt, this.localCompletion, this.localTotal, this.cached, this.reasoning, this.cost, this.micros];
  }
}

/** The rows of `records` in columns, their rollup sums, and the buffers to transfer with them. */
export function encodeBatch(records: readonly NewUsageRecord[]): { batch: EncodedBatch; transfer: ArrayBuffer[] } {
  const count = records.length;
  const numbers = new Float64Array(count * NUMBERS_PER_ROW);
  const refs = new Int32Array(count * REFS_PER_ROW);
  const strings: string[] = [];
  const index = new Map<unknown, number>();
  const largeCosts: [number, string][] = [];
  const tags: [number, string, string][] = [];
  // Rollup rows by hour then model, and by day then user, project and caller: nested maps need no
  // key strings built per row, and null stays distinct from "".
  const hourly = new Map<string, Map<string, RollupSums>>();
  const daily = new Map<string, Map<string | null, Map<string | null, Map<string | null, RollupSums>>>>();
  const lastValues: unknown[] = Array<unknown>(REFS_PER_ROW).fill(undefined);
  const lastRefs = new Int32Array(REFS_PER_ROW);
  const ref = (column: number, value: string | null | undefined): number => {
    if (value === null || value === undefined) return -1;
    // Neighbouring calls mostly share their names: skip the map for a repeat.
    if (lastValues[column] === value) return lastRefs[column]!;
    let i = index.get(value);
    if (i === undefined) {
      i = strings.length;
      strings.push(value);
      index.set(value, i);
    }
    lastValues[column] = value;
    lastRefs[column] = i;
    return i;
  };
  // Calls of one burst share their millisecond: format it once.
  let lastMs = Number.NaN;
  let timestamp = "";
  let hourRows = new Map<string, RollupSums>();
  let dayRows = new Map<string | null, Map<string | null, Map<string | null, RollupSums>>>();
  let lastDay: RollupSums | undefined;
  let exact = true;
  for (let i = 0; i < count; i++) {
    const r = records[i]!;
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
    const n = i * NUMBERS_PER_ROW;
    numbers[n] = r.promptTokens;
    numbers[n + 1] = r.completionTokens;
    numbers[n + 2] = r.totalTokens;
    numbers[n + 3] = r.localPromptTokens;
    numbers[n + 4] = r.localCompletionTokens;
    numbers[n + 5] = r.localTotalTokens;
    numbers[n + 6] = r.cachedTokens;
    numbers[n + 7] = r.reasoningTokens;
    const cost = Number(r.costNanos);
    if (Number.isSafeInteger(cost)) numbers[n + 8] = cost;
    else {
      numbers[n + 8] = Number.NaN;
      largeCosts.push([i, String(r.costNanos)]);
    }
    numbers[n + 9] = r.executionTime;
    // Records built by hand against the 0.2 contract lack cacheWriteTokens, costSource and provider.
    numbers[n + 10] = r.cacheWriteTokens ?? 0;
    const s = i * REFS_PER_ROW;
    refs[s] = ref(0, timestamp);
    refs[s + 1] = ref(1, r.model);
    refs[s + 2] = ref(2, r.costSource);
    refs[s + 3] = ref(3, r.provider);
    refs[s + 4] = ref(4, r.callerName);
    refs[s + 5] = ref(5, r.username);
    refs[s + 6] = ref(6, r.project);
    refs[s + 7] = ref(7, r.session);
    if (r.tags) for (const [key, value] of tagPairs(r.tags)) tags.push([i, key, value]);

    const micros = sqliteMicros(r.executionTime);
    if (exact) {
      exact =
        exactPart(micros) &&
        exactPart(r.promptTokens) &&
        exactPart(r.completionTokens) &&
        exactPart(r.totalTokens) &&
        exactPart(r.localPromptTokens) &&
        exactPart(r.localCompletionTokens) &&
        exactPart(r.localTotalTokens) &&
        exactPart(r.cachedTokens) &&
        exactPart(r.reasoningTokens);
    }
    let h = hourRows.get(r.model);
    if (!h) hourRows.set(r.model, (h = new RollupSums([`${timestamp.slice(0, 13)}:00:00.000+00:00`, r.model])));
    h.add(r, micros);
    let d = lastDay;
    if (!d || d.username !== username || d.project !== project || d.callerName !== callerName) {
      let byProject = dayRows.get(username);
      if (!byProject) dayRows.set(username, (byProject = new Map()));
      let byCaller = byProject.get(project);
      if (!byCaller) byProject.set(project, (byCaller = new Map()));
      d = byCaller.get(callerName);
      if (!d) {
        const key = [`${timestamp.slice(0, 10)}T00:00:00.000+00:00`, username ?? "", username === null ? 1 : 0, project ?? "", project === null ? 1 : 0, callerName ?? "", callerName === null ? 1 : 0];
        byCaller.set(callerName, (d = new RollupSums(key, username, project, callerName)));
      }
      lastDay = d;
    }
    d.add(r, micros);
  }
  const hourlySums = [...hourly.values()].flatMap((byModel) => [...byModel.values()]);
  const dailySums = [...daily.values()].flatMap((byUser) => [...byUser.values()].flatMap((byProject) => [...byProject.values()].flatMap((byCaller) => [...byCaller.values()])));
  const rollups = exact && hourlySums.every((sums) => sums.exact()) && dailySums.every((sums) => sums.exact()) ? { hourly: hourlySums.map((sums) => sums.params()), daily: dailySums.map((sums) => sums.params()) } : null;
  const batch: EncodedBatch = {
    count,
    numbers,
    refs,
    strings,
    largeCosts,
    tags,
    rollups,
  };
  return { batch, transfer: [numbers.buffer as ArrayBuffer, refs.buffer as ArrayBuffer] };
}

/** Writes row `row` of the batch as accounting_entries parameters (USAGE_COLUMNS order) into `into` at `at`. */
export function rowParams(batch: EncodedBatch, largeCosts: Map<number, string>, row: number, into: unknown[], at: number): void {
  const { numbers, refs, strings } = batch;
  const n = row * NUMBERS_PER_ROW;
  const s = row * REFS_PER_ROW;
  const text = (i: number): string | null => (i < 0 ? null : strings[i]!);
  into[at] = text(refs[s]!);
  // A missing model stays null, so the database refuses the batch.
  into[at + 1] = text(refs[s + 1]!);
  into[at + 2] = numbers[n];
  into[at + 3] = numbers[n + 1];
  into[at + 4] = numbers[n + 2];
  into[at + 5] = numbers[n + 3];
  into[at + 6] = numbers[n + 4];
  into[at + 7] = numbers[n + 5];
  into[at + 8] = numbers[n + 6];
  into[at + 9] = numbers[n + 7];
  const cost = numbers[n + 8]!;
  into[at + 10] = Number.isNaN(cost) ? BigInt(largeCosts.get(row)!) : cost;
  into[at + 11] = numbers[n + 9];
  into[at + 12] = numbers[n + 10];
  into[at + 13] = text(refs[s + 2]!);
  into[at + 14] = text(refs[s + 3]!);
  into[at + 15] = text(refs[s + 4]!);
  into[at + 16] = text(refs[s + 5]!);
  into[at + 17] = text(refs[s + 6]!);
  into[at + 18] = text(refs[s + 7]!);
}

/** Columns of a lean row: one whose local, cache, reasoning and cache-write counts are 0 and provider and session null (the defaults). */
export const LEAN_COLUMNS = ["timestamp", "model", "prompt_tokens", "completion_tokens", "total_tokens", "cost_nanos", "execution_time", "cost_source", "caller_name", "username", "project"] as const;

/** Whether rows [from, to) are all lean: they can be inserted without binding the columns left at their defaults. */
export function leanRows(batch: EncodedBatch, from: number, to: number): boolean {
  const { numbers, refs } = batch;
  for (let row = from; row < to; row++) {
    const n = row * NUMBERS_PER_ROW;
    const s = row * REFS_PER_ROW;
    if (numbers[n + 3] !== 0 || numbers[n + 4] !== 0 || numbers[n + 5] !== 0 || numbers[n + 6] !== 0 || numbers[n + 7] !== 0 || numbers[n + 10] !== 0) return false;
    if (refs[s + 3] !== -1 || refs[s + 7] !== -1) return false;
  }
  return true;
}

/** Writes row `row` of the batch as LEAN_COLUMNS parameters into `into` at `at`. */
export function leanRowParams(batch: EncodedBatch, largeCosts: Map<number, string>, row: number, into: unknown[], at: number): void {
  const { numbers, refs, strings } = batch;
  const n = row * NUMBERS_PER_ROW;
  const s = row * REFS_PER_ROW;
  const text = (i: number): string | null => (i < 0 ? null : strings[i]!);
  into[at] = text(refs[s]!);
  into[at + 1] = text(refs[s + 1]!);
  into[at + 2] = numbers[n];
  into[at + 3] = numbers[n + 1];
  into[at + 4] = numbers[n + 2];
  const cost = numbers[n + 8]!;
  into[at + 5] = Number.isNaN(cost) ? BigInt(largeCosts.get(row)!) : cost;
  into[at + 6] = numbers[n + 9];
  into[at + 7] = text(refs[s + 2]!);
  into[at + 8] = text(refs[s + 4]!);
  into[at + 9] = text(refs[s + 5]!);
  into[at + 10] = text(refs[s + 6]!);
}
