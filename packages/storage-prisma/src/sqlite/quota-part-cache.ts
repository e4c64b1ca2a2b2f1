import type Database from "better-sqlite3";
import { usageFilterMatches, type QuotaUsage, type UsageFilter, type UsageQuery } from "@llm-accounting/core";
import { filterKey, isEmptyPart, partSumsSql, windowParts, type PartToSum, type WindowPart } from "../shared/quota-buckets.js";
import { SQLITE_BUCKET_DIALECT } from "./bucket-sql.js";

/** Amounts of one row or one sum; cost in nano-dollars. */
interface Amounts {
  requests: number;
  input: number;
  output: number;
  total: number;
  cost: bigint;
}

/** A row as the cache sees it. */
interface CachedRow extends Amounts {
  readonly ts: number;
}

/** A part's sums, or for the unfinished last minute its rows (summed up to the window's end on use). */
interface Entry {
  readonly filter: UsageFilter;
  readonly part: WindowPart;
  readonly sums: Amounts;
  readonly rows: CachedRow[] | null;
  used: number;
}

interface NewRow {
  id: bigint;
  timestamp: string;
  model: string;
  username: string | null;
  caller_name: string | null;
  project: string | null;
  prompt_tokens: bigint;
  completion_tokens: bigint;
  total_tokens: bigint;
  cost_nanos: bigint;
}

const zero = (): Amounts => ({ requests: 0, input: 0, output: 0, total: 0, cost: 0n });
// A window's last part, read row by row, spans less than two minutes (see windowParts).
const LIST_SPAN_MS = 120_000;
// Entries not used for this many checks are dropped (windows move on: old parts never come back).
const KEEP_UNUSED = 256;

/**
 * Sums of window parts (see `windowParts`) kept in process and in step with the database, so a
 * warm check reads almost nothing: before answering it reads the rows inserted since it last
 * looked, by any process (ids grow in commit order: SQLite has one writer at a time), and adds
 * them to the parts they fall in; when any row was updated or deleted (a counter kept by
 * triggers) it starts over. Parts it has not seen are summed from quota_buckets in one
 * statement, so a cold check costs no more than without the cache: nothing is built up front.
 */
export class QuotaPartCache {
  readonly #entries = new Map<string, Entry>();
  readonly #newRows: Database.Statement;
  readonly #maxId: Database.Statement;
  readonly #mutationCount: Database.Statement;
  readonly #prepared: (sql: string) => Database.Statement;
  #lastId = -1;
  #mutations = -1;
  #calls = 0;

  constructor(db: Database.Database, prepared: (sql: string) => Database.Statement) {
    this.#prepared = prepared;
    this.#newRows = db
      .prepare("SELECT id, timestamp, model, username, caller_name, project, prompt_tokens, completion_tokens, total_tokens, cost_nanos FROM accounting_entries WHERE id > ? ORDER BY id")
      .safeIntegers(true);
    this.#maxId = db.prepare("SELECT COALESCE(MAX(id), 0) FROM accounting_entries").pluck().safeIntegers(false);
    this.#mutationCount = db.prepare("SELECT value FROM store_counters WHERE key = 'entries_mutations'").pluck().safeIntegers(false);
  }

  /** The usage rows (not reservations) of each query; call inside a transaction for one snapshot. */
  sums(queries: readonly UsageQuery[], filterIds: readonly (number | null)[]): Omit<QuotaUsage, "oldest">[] {
    this.#refresh();
    const call = ++this.#calls;
    const plans = queries.map((query, q) => {
      const id = filterIds[q] ?? null;
      const end = query.end.getTime();
      const parts = id === null ? [{ kind: "rows" as const, from: query.start.getTime(), to: end, closed: true }] : windowParts(query.start.getTime(), end);
      return parts.filter((part) => !isEmptyPart(part)).map((part) => {
        // The last part ends at `end`, which moves with every check: it is kept as the rows of a
        // fixed two-minute span and summed up to `end` when used.
        const tail = part.kind === "rows" && part.closed && part.to - part.from < LIST_SPAN_MS;
        const keyed: WindowPart = tail ? { kind: "rows", from: part.from, to: part.from + LIST_SPAN_MS, closed: false } : part;
        return { key: entryKey(id ?? filterKey(query.filter), keyed, tail), id, filter: query.filter, part: keyed, tail, end };
      });
    });
    const missing = new Map<string, PartToSum>();
    for (const plan of plans) for (const p of plan) if (!this.#entries.has(p.key) && !missing.has(p.key)) missing.set(p.key, { filterId: p.id, filter: p.filter, part: p.part, listRows: p.tail });
    if (missing.size > 0) this.#load(missing);
    const out = plans.map((plan) => {
      const acc = zero();
      for (const p of plan) {
        const entry = this.#entries.get(p.key)!;
        entry.used = call;
        if (entry.rows) {
          for (const row of entry.rows) if (row.ts <= p.end) add(acc, row);
        } else add(acc, entry.sums);
      }
      return { requests: acc.requests, inputTokens: acc.input, outputTokens: acc.output, totalTokens: acc.total, costNanos: acc.cost };
    });
    if (call % KEEP_UNUSED === 0) for (const [key, entry] of this.#entries) if (call - entry.used >= KEEP_UNUSED) this.#entries.delete(key);
    return out;
  }

  #load(missing: Map<string, PartToSum>): void {
    const keys = [...missing.keys()];
    const parts = [...missing.values()];
    for (const [i, p] of parts.entries()) this.#entries.set(keys[i]!, { filter: p.filter, part: p.part, sums: zero(), rows: p.listRows ? [] : null, used: 0 });
    const { sql, params } = partSumsSql(SQLITE_BUCKET_DIALECT, parts);
    for (const row of this.#prepared(sql).all(params) as Record<string, unknown>[]) {
      const q = Number(row.q);
      if (q < 0) continue;
      const entry = this.#entries.get(keys[q]!)!;
      const amounts = { requests: Number(row.requests), input: Number(row.input_tokens), output: Number(row.output_tokens), total: Number(row.total_tokens), cost: BigInt(row.cost_nanos as bigint) };
      if (entry.rows) entry.rows.push({ ts: Date.parse(row.ts as string), ...amounts });
      else add(entry.sums, amounts);
    }
  }

  #refresh(): void {
    const mutations = this.#mutationCount.get() as number;
    if (mutations !== this.#mutations || this.#lastId < 0) {
      this.#entries.clear();
      this.#mutations = mutations;
      this.#lastId = this.#maxId.get() as number;
      return;
    }
    const rows = this.#newRows.all(this.#lastId) as NewRow[];
    if (rows.length === 0) return;
    this.#lastId = Number(rows[rows.length - 1]!.id);
    if (this.#entries.size === 0) return;
    for (const raw of rows) {
      const ts = Date.parse(raw.timestamp);
      const seconds = Math.floor(ts / 1000);
      const row: CachedRow = { ts, requests: 1, input: Number(raw.prompt_tokens), output: Number(raw.completion_tokens), total: Number(raw.total_tokens), cost: raw.cost_nanos };
      const columns = { model: raw.model, username: raw.username, callerName: raw.caller_name, project: raw.project };
      for (const entry of this.#entries.values()) {
        const { part } = entry;
        const inside =
          part.kind === "buckets" ? seconds - mod(seconds, part.span) >= part.from && seconds - mod(seconds, part.span) < part.to : ts >= part.from && (ts < part.to || (part.closed && ts === part.to));
        if (!inside || !usageFilterMatches(entry.filter, columns)) continue;
        if (entry.rows) entry.rows.push(row);
        else add(entry.sums, row);
      }
    }
  }
}

/** A part's key: the filter (its id when registered), the part's kind and bounds. */
function entryKey(filter: number | string, part: WindowPart, tail: boolean): string {
  return part.kind === "buckets" ? `${filter}|${part.span}|${part.from}|${part.to}` : `${filter}|${tail ? "t" : "r"}|${part.from}|${part.to}|${part.closed ? 1 : 0}`;
}

function add(into: Amounts, from: Amounts): void {
  into.requests += from.requests;
  into.input += from.input;
  into.output += from.output;
  into.total += from.total;
  into.cost += from.cost;
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
