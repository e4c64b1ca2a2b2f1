import { usageFilterFields, type TailFilter, type TimeRange, type UsageRecord } from "@llm-accounting/core";
import { sqliteTime } from "./batch-encoding.js";
import type { StatementCache } from "./statement-cache.js";
import { ENTRY_SELECT, usageRecordFromRow } from "../shared/entry-row.js";
import { DIMENSION_COLUMNS } from "../shared/sql-columns.js";
import { tagsByEntry } from "../shared/tag-rows.js";

// Read through the store's own connection: Prisma's query builder costs more per row than the
// page read itself (reprice reads every row of its period through here). The unary + keeps the
// planner off the timestamp index: through it, every page would sort the whole period by id;
// walking the primary key from the period's first id reads each row once.
const PAGE_SQL = `SELECT ${ENTRY_SELECT} FROM accounting_entries WHERE id > ? AND +timestamp >= ? AND +timestamp <= ? ORDER BY id LIMIT ?`;
// The tags of a page's records, by a JSON array of their ids (one statement whatever the page size).
const TAGS_SQL = "SELECT entry_id, key, value FROM usage_tags WHERE entry_id IN (SELECT value FROM json_each(?))";
const FIRST_ID_SQL = "SELECT MIN(id) FROM accounting_entries WHERE timestamp >= ? AND timestamp <= ?";

type PageRow = Record<string, unknown>;

/** Reads pages of usage records in id order, as `usageInRange` returns them, and the newest records, as `tail` does. */
export class UsagePageReader {
  readonly #statements: StatementCache;
  readonly #date: (value: unknown) => Date;

  /** `date` reads a DATETIME column as the store wrote it. */
  constructor(statements: StatementCache, date: (value: unknown) => Date) {
    this.#statements = statements;
    this.#date = date;
  }

  /** The `limit` newest records (by timestamp, then id) the filter keeps (its fields, and its time range with both ends included). */
  tail(limit: number, filter: TailFilter = {}): UsageRecord[] {
    if (limit <= 0) return [];
    const fields = usageFilterFields(filter);
    const conditions = [
      ...fields.map(([field, value]) => `${DIMENSION_COLUMNS[field]} ${value === null ? "IS NULL" : "= ?"}`),
      ...Object.keys(filter.tags ?? {}).map(() => "id IN (SELECT entry_id FROM usage_tags WHERE key = ? AND value = ?)"),
      ...(filter.since ? ["timestamp >= ?"] : []),
      ...(filter.until ? ["timestamp <= ?"] : []),
    ];
    const where = conditions.join(" AND ");
    // Newest first through the timestamp index (the session index when one is named).
    const statement = this.#statements.get(`SELECT ${ENTRY_SELECT} FROM accounting_entries${where ? ` WHERE ${where}` : ""} ORDER BY timestamp DESC, id DESC LIMIT ?`, "exact");
    const params = [...fields.flatMap(([, value]) => (value === null ? [] : [value])), ...Object.entries(filter.tags ?? {}).flat(), ...(filter.since ? [sqliteTime(filter.since)] : []), ...(filter.until ? [sqliteTime(filter.until)] : [])];
    const rows = statement.all(...params, BigInt(Math.min(limit, Number.MAX_SAFE_INTEGER))) as PageRow[];
    return this.#withTags(rows.map((row) => usageRecordFromRow(row, this.#date)));
  }

  /** Up to `limit` records in the range with an id above `afterId`. */
  page(range: TimeRange, afterId: number, limit: number): UsageRecord[] {
    if (limit <= 0) return [];
    const [start, end] = [sqliteTime(range.start), sqliteTime(range.end)];
    let from = afterId;
    if (from <= 0) {
      // The first page starts at the period's first row, found through the timestamp index.
      const first = this.#statements.get(FIRST_ID_SQL, "value").get(start, end) as number | null;
      if (first === null) return [];
      from = first - 1;
    }
    const rows = this.#statements.get(PAGE_SQL, "exact").all(from, start, end, limit) as PageRow[];
    return this.#withTags(rows.map((row) => usageRecordFromRow(row, this.#date)));
  }

  // Tagged records are few in most stores: one indexed lookup per page, and records without tags keep no key.
  #withTags(records: UsageRecord[]): UsageRecord[] {
    if (records.length === 0) return records;
    const byEntry = tagsByEntry(this.#statements.get(TAGS_SQL).all(JSON.stringify(records.map((r) => r.id))) as { entry_id: number; key: string; value: string }[]);
    if (byEntry.size === 0) return records;
    return records.map((r) => {
      const tags = byEntry.get(r.id);
      return tags ? { ...r, tags } : r;
    });
  }
}
