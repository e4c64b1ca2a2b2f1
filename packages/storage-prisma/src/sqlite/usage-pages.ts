import type Database from "better-sqlite3";
import { usageFilterFields, type CostSource, type TailFilter, type TimeRange, type UsageDimension, type UsageRecord } from "@llm-accounting/core";
import { sqliteTime } from "./batch-encoding.js";
import { tagsByEntry } from "../shared/tag-rows.js";

// Read through the store's own connection: Prisma's query builder costs more per row than the
// page read itself (reprice reads every row of its period through here). The unary + keeps the
// planner off the timestamp index: through it, every page would sort the whole period by id;
// walking the primary key from the period's first id reads each row once.
const COLUMNS = `id, timestamp, model, prompt_tokens, completion_tokens, total_tokens, local_prompt_tokens, local_completion_tokens, local_total_tokens,
  cached_tokens, cache_write_tokens, reasoning_tokens, cost_nanos, cost_source, provider, execution_time, caller_name, username, project, session`;
const PAGE_SQL = `SELECT ${COLUMNS} FROM accounting_entries WHERE id > ? AND +timestamp >= ? AND +timestamp <= ? ORDER BY id LIMIT ?`;
// The tags of a page's records, by a JSON array of their ids (one statement whatever the page size).
const TAGS_SQL = "SELECT entry_id, key, value FROM usage_tags WHERE entry_id IN (SELECT value FROM json_each(?))";
const FIRST_ID_SQL = "SELECT MIN(id) FROM accounting_entries WHERE timestamp >= ? AND timestamp <= ?";

const COST_SOURCES: ReadonlySet<string> = new Set<CostSource>(["caller", "price", "unpriced"]);

type PageRow = Record<string, unknown>;

const TAIL_COLUMN: Record<UsageDimension, string> = { model: "model", username: "username", project: "project", callerName: "caller_name", session: "session" };

/** Reads pages of usage records in id order, as `usageInRange` returns them, and the newest records, as `tail` does. */
export class UsagePageReader {
  readonly #db: Database.Database;
  readonly #page: Database.Statement;
  readonly #firstId: Database.Statement;
  readonly #tags: Database.Statement;
  readonly #tails = new Map<string, Database.Statement>();
  readonly #date: (value: unknown) => Date;

  /** `date` reads a DATETIME column as the store wrote it. */
  constructor(db: Database.Database, date: (value: unknown) => Date) {
    this.#db = db;
    this.#page = db.prepare(PAGE_SQL).safeIntegers(true);
    this.#firstId = db.prepare(FIRST_ID_SQL).pluck().safeIntegers(false);
    this.#tags = db.prepare(TAGS_SQL).safeIntegers(false);
    this.#date = date;
  }

  /** The `limit` newest records (by timestamp, then id) the filter keeps (its fields, and its time range with both ends included). */
  tail(limit: number, filter: TailFilter = {}): UsageRecord[] {
    if (limit <= 0) return [];
    const fields = usageFilterFields(filter);
    const conditions = [
      ...fields.map(([field, value]) => `${TAIL_COLUMN[field]} ${value === null ? "IS NULL" : "= ?"}`),
      ...Object.keys(filter.tags ?? {}).map(() => "id IN (SELECT entry_id FROM usage_tags WHERE key = ? AND value = ?)"),
      ...(filter.since ? ["timestamp >= ?"] : []),
      ...(filter.until ? ["timestamp <= ?"] : []),
    ];
    const key = conditions.join(" AND ");
    let statement = this.#tails.get(key);
    if (!statement) {
      // Newest first through the timestamp index (the session index when one is named).
      statement = this.#db.prepare(`SELECT ${COLUMNS} FROM accounting_entries${key ? ` WHERE ${key}` : ""} ORDER BY timestamp DESC, id DESC LIMIT ?`).safeIntegers(true);
      this.#tails.set(key, statement);
    }
    const params = [...fields.flatMap(([, value]) => (value === null ? [] : [value])), ...Object.entries(filter.tags ?? {}).flat(), ...(filter.since ? [sqliteTime(filter.since)] : []), ...(filter.until ? [sqliteTime(filter.until)] : [])];
    const rows = statement.all(...params, BigInt(Math.min(limit, Number.MAX_SAFE_INTEGER))) as PageRow[];
    return this.#withTags(rows.map((row) => this.#record(row)));
  }

  /** Up to `limit` records in the range with an id above `afterId`. */
  page(range: TimeRange, afterId: number, limit: number): UsageRecord[] {
    if (limit <= 0) return [];
    const [start, end] = [sqliteTime(range.start), sqliteTime(range.end)];
    let from = afterId;
    if (from <= 0) {
      // The first page starts at the period's first row, found through the timestamp index.
      const first = this.#firstId.get(start, end) as number | null;
      if (first === null) return [];
      from = first - 1;
    }
    const rows = this.#page.all(from, start, end, limit) as PageRow[];
    return this.#withTags(rows.map((row) => this.#record(row)));
  }

  // Tagged records are few in most stores: one indexed lookup per page, and records without tags keep no key.
  #withTags(records: UsageRecord[]): UsageRecord[] {
    if (records.length === 0) return records;
    const byEntry = tagsByEntry(this.#tags.all(JSON.stringify(records.map((r) => r.id))) as { entry_id: number; key: string; value: string }[]);
    if (byEntry.size === 0) return records;
    return records.map((r) => {
      const tags = byEntry.get(r.id);
      return tags ? { ...r, tags } : r;
    });
  }

  #record(row: PageRow): UsageRecord {
    const text = (value: unknown) => (value === null ? null : String(value));
    const source = text(row.cost_source);
    return {
      id: Number(row.id),
      timestamp: this.#date(row.timestamp),
      model: String(row.model),
      promptTokens: Number(row.prompt_tokens),
      completionTokens: Number(row.completion_tokens),
      totalTokens: Number(row.total_tokens),
      localPromptTokens: Number(row.local_prompt_tokens),
      localCompletionTokens: Number(row.local_completion_tokens),
      localTotalTokens: Number(row.local_total_tokens),
      cachedTokens: Number(row.cached_tokens),
      cacheWriteTokens: Number(row.cache_write_tokens),
      reasoningTokens: Number(row.reasoning_tokens),
      costNanos: BigInt(row.cost_nanos as bigint),
      costSource: source !== null && COST_SOURCES.has(source) ? (source as CostSource) : null,
      provider: text(row.provider),
      executionTime: Number(row.execution_time),
      callerName: text(row.caller_name),
      username: text(row.username),
      project: text(row.project),
      session: text(row.session),
    };
  }
}
