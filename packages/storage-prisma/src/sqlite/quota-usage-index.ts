import type Database from "better-sqlite3";
import type { LimitType, UsageFilter, UsageQuery } from "@llm-accounting/core";
import { usageFilterMatches } from "@llm-accounting/core";
import { UsageSeries, type QuotaRow } from "./usage-series.js";

/** Sums of one query from the index; cost in nano-dollars, oldest as epoch ms. */
export interface IndexedSums {
  readonly requests: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
  readonly cost: number;
  readonly oldest: number | null;
}

const SERIES_COLUMN = { requests: "requests", input_tokens: "input", output_tokens: "output", total_tokens: "total", cost: "cost" } as const;

const sqliteTime = (date: Date): string => date.toISOString().replace("Z", "+00:00");
const ROW_COLUMNS = "id, timestamp, model, username, caller_name, project, prompt_tokens, completion_tokens, total_tokens, cost_nanos";

interface RawRow {
  id: number;
  timestamp: string;
  model: string;
  username: string | null;
  caller_name: string | null;
  project: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost_nanos: number;
}

const toQuotaRow = (r: RawRow): QuotaRow => ({
  ts: Date.parse(r.timestamp),
  model: r.model,
  username: r.username,
  callerName: r.caller_name,
  project: r.project,
  input: r.prompt_tokens,
  output: r.completion_tokens,
  total: r.total_tokens,
  cost: r.cost_nanos,
});

/**
 * In-process index of the usage rows quota checks sum, one `UsageSeries` per limit filter, kept
 * exact across processes: before answering it reads the rows other processes inserted since it
 * last looked (ids grow in commit order because SQLite has one writer at a time) and it starts
 * over when any row was updated or deleted (a counter kept by triggers). A check then costs a
 * few index lookups instead of one SUM over the window per limit.
 */
export class QuotaUsageIndex {
  readonly #series = new Map<string, UsageSeries>();
  readonly #filters = new Map<string, UsageFilter>();
  #lastId = -1;
  #mutations: number | bigint = -1;
  readonly #newRows: Database.Statement;
  readonly #maxId: Database.Statement;
  readonly #mutationCount: Database.Statement;
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#newRows = db.prepare(`SELECT ${ROW_COLUMNS} FROM accounting_entries WHERE id > ? ORDER BY id`).safeIntegers(false);
    this.#maxId = db.prepare("SELECT COALESCE(MAX(id), 0) FROM accounting_entries").pluck().safeIntegers(false);
    this.#mutationCount = db.prepare("SELECT value FROM store_counters WHERE key = 'entries_mutations'").pluck().safeIntegers(false);
  }

  /** Usage rows (not reservations) matching each query; call inside a transaction for a consistent view. */
  sums(queries: readonly UsageQuery[]): IndexedSums[] {
    this.#refresh();
    const earliest = new Map<string, number>();
    const out = queries.map((query) => {
      const key = JSON.stringify(query.filter);
      const start = query.start.getTime();
      const series = this.#seriesFor(key, query.filter, start);
      earliest.set(key, Math.min(earliest.get(key) ?? Number.POSITIVE_INFINITY, start));
      const s = series.sum(start, query.end.getTime());
      return { requests: s.requests, inputTokens: s.input, outputTokens: s.output, totalTokens: s.total, cost: s.cost, oldest: s.oldest };
    });
    for (const [key, start] of earliest) this.#series.get(key)!.trimBefore(start);
    return out;
  }

  /**
   * The timestamp of the row at which the running sum of a query's rows of one type, oldest
   * first, reaches `amount` (null if never). Call right after `sums` for the same queries.
   */
  reachedAt(query: UsageQuery, type: LimitType, amount: bigint): number | null {
    const series = this.#series.get(JSON.stringify(query.filter));
    if (!series || series.from > query.start.getTime()) return null;
    return series.reachedAt(query.start.getTime(), query.end.getTime(), SERIES_COLUMN[type], Number(amount));
  }

  #refresh(): void {
    const mutations = this.#mutationCount.get() as number;
    if (mutations !== this.#mutations || this.#lastId < 0) {
      this.#series.clear();
      this.#filters.clear();
      this.#mutations = mutations;
      this.#lastId = this.#maxId.get() as number;
      return;
    }
    const rows = this.#newRows.all(this.#lastId) as RawRow[];
    if (rows.length === 0) return;
    this.#lastId = rows[rows.length - 1]!.id;
    if (this.#series.size === 0) return;
    for (const raw of rows) {
      const row = toQuotaRow(raw);
      for (const [key, series] of this.#series) if (usageFilterMatches(this.#filters.get(key)!, row)) series.add(row);
    }
  }

  #seriesFor(key: string, filter: UsageFilter, start: number): UsageSeries {
    const existing = this.#series.get(key);
    if (existing && existing.from <= start) return existing;
    // Load every row of the filter from `start` up to the last id seen; later ids arrive by #refresh.
    const series = new UsageSeries(start);
    const { where, params } = whereFor(filter);
    const rows = this.#db
      .prepare(`SELECT ${ROW_COLUMNS} FROM accounting_entries WHERE timestamp >= ? AND id <= ?${where} ORDER BY timestamp, id`)
      .safeIntegers(false)
      .all(sqliteTime(new Date(start)), this.#lastId, ...params) as RawRow[];
    for (const raw of rows) series.add(toQuotaRow(raw));
    this.#series.set(key, series);
    this.#filters.set(key, filter);
    return series;
  }
}

function whereFor(filter: UsageFilter): { where: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (filter.model !== undefined) (parts.push("model = ?"), params.push(filter.model));
  if (filter.username !== undefined) (parts.push("username = ?"), params.push(filter.username));
  if (filter.callerName !== undefined) (parts.push("caller_name = ?"), params.push(filter.callerName));
  if (filter.project === null) parts.push("project IS NULL");
  else if (filter.project !== undefined) (parts.push("project = ?"), params.push(filter.project));
  return { where: parts.map((p) => ` AND ${p}`).join(""), params };
}
