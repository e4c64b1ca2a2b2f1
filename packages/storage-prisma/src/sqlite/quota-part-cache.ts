import type Database from "better-sqlite3";
import { usageFilterMatches, type QuotaUsage, type UsageFilter, type UsageQuery } from "@llm-accounting/core";
import { filterKey, rowSumsSql, windowParts, type BucketsPart, type RowsToSum } from "../shared/quota-buckets.js";
import { sqliteTime } from "./batch-encoding.js";
import { SQLITE_BUCKET_DIALECT } from "./bucket-sql.js";
import type { StatementCache } from "./statement-cache.js";
import { MinuteRows, type Amounts } from "./minute-rows.js";
import { byTagKey, GROUPED, BY_NAMES, TAGGED_BY_ID, TAGGED_BY_TIME, BY_NAMES_AND_TAG, heldGroup, heldTaggedGroup, type HeldGroup, type RowGroup, type TaggedGroup } from "./row-groups.js";

/** The whole minutes `[a, b)` of a window (minute numbers since the epoch) and their sums. */
interface Middle {
  readonly a: number;
  readonly b: number;
  readonly sums: Amounts;
  used: number;
}

/** What the cache holds of one filter: its rows minute by minute, and the middles of the windows asked about. */
interface FilterEntry {
  readonly id: number | null;
  readonly filter: UsageFilter;
  readonly minutes: Map<number, MinuteRows>;
  readonly middles: Map<string, Middle>;
}

/**
 * One read of a minute's rows (or of those carrying one tag key, split by its value), kept for
 * every filter that wants the minute later: a filter first seen in a busy minute then costs a
 * pass over these groups, not another read of thousands of rows.
 */
interface MinuteGroups {
  readonly groups: HeldGroup[];
  used: number;
}

/** What a check must read before answering: the parts of new middles, and new minutes of rows. */
interface Loads {
  /** Whole buckets of a registered filter. */
  readonly buckets: { readonly filterId: number; readonly part: BucketsPart; readonly into: Middle }[];
  /** Raw rows, for a filter without buckets (a read-only store reading a filter no writer registered). */
  readonly rows: (RowsToSum & { readonly into: Middle })[];
  /** Per minute, the filters whose rows of that minute are wanted (one scan of the minute serves all). */
  readonly minutes: Map<number, { readonly filter: UsageFilter; readonly rows: MinuteRows }[]>;
}

const MINUTE_MS = 60_000;
// Entries not used for this many checks are dropped (windows move on: old parts never come back).
const KEEP_UNUSED = 256;

const zero = (): Amounts => ({ requests: 0, input: 0, output: 0, total: 0, cost: 0n });

/**
 * Sums of quota windows kept in process and in step with the database, so a warm check reads
 * almost nothing. A window `[start, end]` is the rows of its first, partial minute, the whole
 * minutes between (summed once from quota_buckets), and the rows of its last, unfinished minute.
 * Rows are kept per filter and minute with running sums, so any edge is a binary search: a
 * rolling window that moves by a millisecond reads nothing new. Before answering it reads the
 * rows inserted since it last looked, by any process (ids grow in commit order: SQLite has one
 * writer at a time), and adds each to the minute and the middles it falls in; when any row was
 * updated or deleted (a counter kept by triggers) it starts over. Nothing is built up front.
 * A minute's rows are read from the database once, for all filters: a filter first asked about in
 * a busy minute is matched against the rows already read (kept in step the same way).
 */
export class QuotaPartCache {
  readonly #filters = new Map<number | string, FilterEntry>();
  // By minute number, or "minute|tag key" for the tagged reads.
  readonly #groups = new Map<string, MinuteGroups>();
  readonly #newRows: Database.Statement;
  readonly #minuteRows: Database.Statement;
  readonly #newTaggedRows: Database.Statement;
  readonly #minuteTaggedRows: Database.Statement;
  readonly #bucketSums: Database.Statement;
  readonly #maxId: Database.Statement;
  readonly #mutationCount: Database.Statement;
  readonly #statements: StatementCache;
  #lastId = -1;
  #mutations = -1;
  #calls = 0;

  constructor(statements: StatementCache) {
    this.#statements = statements;
    this.#newRows = statements.get(`${GROUPED}id > ?${BY_NAMES}`, "exact");
    // Timestamps are ISO text of one width, so text order is time order and the index serves the range.
    this.#minuteRows = statements.get(`${GROUPED}timestamp >= ? AND timestamp < ?${BY_NAMES}`, "exact");
    this.#newTaggedRows = statements.get(`${TAGGED_BY_ID}e.id > ?${BY_NAMES_AND_TAG}`, "exact");
    this.#minuteTaggedRows = statements.get(`${TAGGED_BY_TIME}e.timestamp >= ? AND e.timestamp < ?${BY_NAMES_AND_TAG}`, "exact");
    // One bucket part: its sums in quota_buckets plus those still in quota_buckets_hot.
    const part = (table: string) => `SELECT requests, input_tokens, output_tokens, total_tokens, cost_nanos FROM ${table} WHERE filter_id = ? AND span = ? AND start >= ? AND start < ?`;
    this.#bucketSums = statements.get(
      "SELECT SUM(requests) AS requests, SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens, SUM(total_tokens) AS total_tokens, SUM(cost_nanos) AS cost_nanos " +
        `FROM (${part("quota_buckets")} UNION ALL ${part(SQLITE_BUCKET_DIALECT.hotBuckets!)})`,
      "exact",
    );
    this.#maxId = statements.get("SELECT COALESCE(MAX(id), 0) FROM accounting_entries", "value");
    this.#mutationCount = statements.get("SELECT value FROM store_counters WHERE key = 'entries_mutations'", "value");
  }

  /** The usage rows (not reservations) of each query; call inside a transaction for one snapshot. */
  sums(queries: readonly UsageQuery[], filterIds: readonly (number | null)[]): Omit<QuotaUsage, "oldest">[] {
    this.#refresh();
    const call = ++this.#calls;
    const loads: Loads = { buckets: [], rows: [], minutes: new Map() };
    // Per query: the minute of rows before its whole minutes, its whole minutes, the minute of
    // rows after them (a window within one or two minutes has no whole minute: two row lists).
    const plans = queries.map((query, q) => {
      const entry = this.#entry(filterIds[q] ?? null, query.filter);
      const start = query.start.getTime();
      const end = query.end.getTime();
      if (end < start) return { start, end, first: null, middle: null, last: null };
      const a = Math.ceil(start / MINUTE_MS);
      const b = Math.floor(end / MINUTE_MS);
      if (a >= b) {
        const m = Math.floor(start / MINUTE_MS);
        return { start, end, first: this.#minute(entry, m, call, loads), middle: null, last: b > m ? this.#minute(entry, b, call, loads) : null };
      }
      const first = start < a * MINUTE_MS ? this.#minute(entry, a - 1, call, loads) : null;
      return { start, end, first, middle: this.#middle(entry, a, b, call, loads), last: this.#minute(entry, b, call, loads) };
    });
    for (const { filterId, part, into } of loads.buckets) this.#loadBuckets(filterId, part, into);
    if (loads.rows.length > 0) this.#loadRows(loads.rows);
    if (loads.minutes.size > 0) this.#loadMinutes(loads.minutes, call);
    const out = plans.map(({ start, end, first, middle, last }) => {
      const acc = zero();
      if (middle) add(acc, middle.sums);
      first?.addBetween(acc, start, end);
      last?.addBetween(acc, start, end);
      return { requests: acc.requests, inputTokens: acc.input, outputTokens: acc.output, totalTokens: acc.total, costNanos: acc.cost };
    });
    if (call % KEEP_UNUSED === 0) this.#prune(call);
    return out;
  }

  #entry(id: number | null, filter: UsageFilter): FilterEntry {
    const key = id ?? filterKey(filter);
    let entry = this.#filters.get(key);
    if (!entry) {
      entry = { id, filter, minutes: new Map(), middles: new Map() };
      this.#filters.set(key, entry);
    }
    return entry;
  }

  #minute(entry: FilterEntry, minute: number, call: number, loads: Loads): MinuteRows {
    let rows = entry.minutes.get(minute);
    if (!rows) {
      rows = new MinuteRows();
      entry.minutes.set(minute, rows);
      const wanted = loads.minutes.get(minute);
      if (wanted) wanted.push({ filter: entry.filter, rows });
      else loads.minutes.set(minute, [{ filter: entry.filter, rows }]);
    }
    rows.used = call;
    return rows;
  }

  #middle(entry: FilterEntry, a: number, b: number, call: number, loads: Loads): Middle {
    const key = `${a}|${b}`;
    let middle = entry.middles.get(key);
    if (!middle) {
      middle = { a, b, sums: zero(), used: call };
      entry.middles.set(key, middle);
      const { id, filter } = entry;
      if (id === null) loads.rows.push({ filter, part: { kind: "rows", from: a * MINUTE_MS, to: b * MINUTE_MS, closed: false }, into: middle });
      else for (const part of windowParts(a * MINUTE_MS, b * MINUTE_MS)) if (part.kind === "buckets" && part.to > part.from) loads.buckets.push({ filterId: id, part, into: middle });
    }
    middle.used = call;
    return middle;
  }

  // One prepared statement per bucket part: a statement built for a whole set would be compiled
  // anew for every shape, which cost more than all the lookups on a process's first check.
  #loadBuckets(filterId: number, part: BucketsPart, into: Middle): void {
    const row = this.#bucketSums.get(filterId, part.span, part.from, part.to, filterId, part.span, part.from, part.to) as Record<string, bigint | null>;
    add(into.sums, { requests: Number(row.requests ?? 0), input: Number(row.input_tokens ?? 0), output: Number(row.output_tokens ?? 0), total: Number(row.total_tokens ?? 0), cost: row.cost_nanos ?? 0n });
  }

  #loadRows(parts: Loads["rows"]): void {
    const { sql, params } = rowSumsSql(SQLITE_BUCKET_DIALECT, parts);
    for (const row of this.#statements.get(sql, "exact").all(params) as Record<string, bigint>[]) {
      add(parts[Number(row.q)]!.into.sums, { requests: Number(row.requests), input: Number(row.input_tokens), output: Number(row.output_tokens), total: Number(row.total_tokens), cost: row.cost_nanos! });
    }
  }

  #loadMinutes(minutes: Loads["minutes"], call: number): void {
    for (const [minute, wanted] of minutes) {
      const plain = wanted.filter(({ filter }) => filter.tag === undefined);
      if (plain.length > 0) fill(plain, this.#minuteGroups(minute, undefined, call));
      // TAG filters: one read per tag key, each row group carrying its value of the key.
      for (const [key, tagged] of byTagKey(wanted, (w) => w.filter)) fill(tagged, this.#minuteGroups(minute, key, call));
    }
  }

  /** The row groups of a minute (split by tag `key` when given), read once and then kept in step by `#refresh`. */
  #minuteGroups(minute: number, key: string | undefined, call: number): HeldGroup[] {
    const id = key === undefined ? String(minute) : `${minute}|${key}`;
    let held = this.#groups.get(id);
    if (!held) {
      const from = sqliteTime(new Date(minute * MINUTE_MS));
      const to = sqliteTime(new Date((minute + 1) * MINUTE_MS));
      const groups =
        key === undefined
          ? (this.#minuteRows.all(from, to) as RowGroup[]).map(heldGroup)
          : (this.#minuteTaggedRows.all(key, from, to) as TaggedGroup[]).map((raw) => heldTaggedGroup(raw, key));
      held = { groups, used: call };
      this.#groups.set(id, held);
    }
    held.used = call;
    return held.groups;
  }

  #refresh(): void {
    const mutations = this.#mutationCount.get() as number;
    if (mutations !== this.#mutations || this.#lastId < 0) {
      this.#filters.clear();
      this.#groups.clear();
      this.#mutations = mutations;
      this.#lastId = this.#maxId.get() as number;
      return;
    }
    if (this.#filters.size === 0) {
      // Nothing cached to bring up to date: only where to start next time.
      this.#groups.clear();
      this.#lastId = this.#maxId.get() as number;
      return;
    }
    const after = this.#lastId;
    const groups = this.#newRows.all(after) as RowGroup[];
    if (groups.length === 0) return;
    const entries = [...this.#filters.values()];
    const plain = entries.filter((entry) => entry.filter.tag === undefined);
    for (const raw of groups) {
      this.#lastId = Math.max(this.#lastId, Number(raw.id));
      this.#add(plain, heldGroup(raw), undefined);
    }
    // The new rows' tags were committed with them: one read per tag key of the cached TAG filters.
    // That covers every tagged minute read kept: a filter of its key asked for it, and keeps the
    // minute at least as long as the read is kept (both are pruned by their last use).
    for (const [key, keyed] of byTagKey(entries, (entry) => entry.filter)) {
      for (const raw of this.#newTaggedRows.all(key, after) as TaggedGroup[]) this.#add(keyed, heldTaggedGroup(raw, key), key);
    }
  }

  /** Adds a group of new rows to the minute read it belongs to (when kept), and to the entries whose filter counts it. */
  #add(entries: readonly FilterEntry[], group: HeldGroup, key: string | undefined): void {
    const minute = Math.floor(group.ts / MINUTE_MS);
    this.#groups.get(key === undefined ? String(minute) : `${minute}|${key}`)?.groups.push(group);
    for (const entry of entries) {
      if (!usageFilterMatches(entry.filter, group.columns)) continue;
      entry.minutes.get(minute)?.insert(group.ts, group.amounts);
      for (const middle of entry.middles.values()) if (minute >= middle.a && minute < middle.b) add(middle.sums, group.amounts);
    }
  }

  #prune(call: number): void {
    for (const [key, entry] of this.#filters) {
      for (const [minute, rows] of entry.minutes) if (call - rows.used >= KEEP_UNUSED) entry.minutes.delete(minute);
      for (const [middleKey, middle] of entry.middles) if (call - middle.used >= KEEP_UNUSED) entry.middles.delete(middleKey);
      if (entry.minutes.size === 0 && entry.middles.size === 0) this.#filters.delete(key);
    }
    for (const [id, held] of this.#groups) if (call - held.used >= KEEP_UNUSED) this.#groups.delete(id);
  }
}

/** Adds each held group to the minute rows of every wanting filter that counts it. */
function fill(wanted: readonly { readonly filter: UsageFilter; readonly rows: MinuteRows }[], groups: readonly HeldGroup[]): void {
  for (const group of groups) for (const { filter, rows } of wanted) if (usageFilterMatches(filter, group.columns)) rows.insert(group.ts, group.amounts);
}

function add(into: Amounts, from: Amounts): void {
  into.requests += from.requests;
  into.input += from.input;
  into.output += from.output;
  into.total += from.total;
  into.cost += from.cost;
}
