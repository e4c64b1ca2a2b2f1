import type { LimitFilter, ModelPrice, NewAuditEntry, NewReservation, NewUsageRecord, UsageLimit } from "@llm-accounting/core";
import { USAGE_COLUMNS, usageParamsOf, type SumDialect, type UsageParamEncoding } from "../shared/sql-columns.js";
import type { TagSqlDialect } from "../shared/tag-rollup-sql.js";
import { tagPairs } from "../shared/tag-rows.js";
import { limitFromRow, listLimitsSql } from "../shared/limit-row.js";
import { PRICE_SELECT, priceFromRow } from "../shared/price-row.js";
import { sqliteTime } from "./batch-encoding.js";
import type { StatementCache } from "./statement-cache.js";

/** A DATETIME column as Prisma or this store wrote it (ISO text, or epoch milliseconds). */
export const sqliteDate = (value: unknown): Date => {
  if (typeof value === "bigint") return new Date(Number(value));
  // Text without an offset (written by another tool) is UTC, as Prisma reads it; JavaScript would read it as local time.
  if (typeof value === "string" && value.length > 10 && !/(Z|[+-]\d{2}:?\d{2})$/i.test(value)) return new Date(`${value.replace(" ", "T")}Z`);
  return new Date(value as string | number);
};

/** How the shared sum queries are spelled for SQLite. */
export const SQLITE_DIALECT: SumDialect = {
  param: () => "?",
  micros: (column) => `CAST(round(${column} * 1000000) AS INTEGER)`,
  integer: (expression) => expression,
};

/** How the shared tag rollup queries are spelled for SQLite. */
export const SQLITE_TAG_DIALECT: TagSqlDialect = { ...SQLITE_DIALECT, placeholder: () => "?", time: sqliteTime };

const counter = (key: string): string => `SELECT value FROM store_counters WHERE key = '${key}'`;

/** The fixed statements of the SQLite store, by what they do (prepared through `StatementCache`). */
export const SQL = {
  insertEntry: `INSERT INTO accounting_entries (${USAGE_COLUMNS.join(", ")}) VALUES (${USAGE_COLUMNS.map(() => "?").join(", ")})`,
  insertTag: "INSERT INTO usage_tags (entry_id, key, value) VALUES (?, ?, ?)",
  limitsVersion: counter("limits_version"),
  usageMutations: counter("entries_mutations"),
  registryVersion: counter("registry_version"),
  readCounter: "SELECT value FROM store_counters WHERE key = ?",
  writeCounter: "INSERT INTO store_counters (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  deleteCounter: "DELETE FROM store_counters WHERE key = ?",
  listPrices: `SELECT ${PRICE_SELECT} FROM model_prices`,
  insertAudit:
    "INSERT INTO audit_log_entries (timestamp, app_name, user_name, model, prompt_text, response_text, remote_completion_id, project, log_type, session) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  insertReservation:
    "INSERT INTO quota_reservations (created_at, expires_at, model, username, caller_name, project, session, input_tokens, completion_tokens, cost_nanos) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  insertReservationTag: "INSERT INTO quota_reservation_tags (reservation_id, key, value) VALUES (?, ?, ?)",
  deleteReservation: "DELETE FROM quota_reservations WHERE id = ?",
  sweepReservations: "DELETE FROM quota_reservations WHERE expires_at <= ?",
  insertRejection: "INSERT INTO quota_rejections (created_at, session, rejection_message) VALUES (?, ?, ?)",
  updateCost: "UPDATE accounting_entries SET cost_nanos = ?, cost_source = ? WHERE id = ?",
  lastEntryId: "SELECT COALESCE(MAX(id), 0) FROM accounting_entries",
} as const;

/** The value of a store_counters row (0 when absent). */
export const readCounter = (statements: StatementCache, key: string): number => Number(statements.get(SQL.readCounter, "value").get(key) ?? 0);

// SQLite keeps instants as Prisma's DateTime text, binds nano-dollars as they are (bigint) and flags as 0 or 1.
const SQLITE_PARAMS: UsageParamEncoding = { instant: sqliteTime, nanos: (value) => value, flag: (value) => (value ? 1 : 0) };

/** The accounting_entries parameters of a record, in USAGE_COLUMNS order. */
export const usageParams = (r: NewUsageRecord): unknown[] => usageParamsOf(r, SQLITE_PARAMS);

/** The audit_log_entries parameters of an entry, in `SQL.insertAudit` order. */
export function auditParams(e: NewAuditEntry): unknown[] {
  return [sqliteTime(e.timestamp), e.appName, e.userName, e.model, e.promptText, e.responseText, e.remoteCompletionId, e.project, e.logType, e.session];
}

/** The quota_reservations parameters of a reservation, in `SQL.insertReservation` order. */
export function reservationParams(r: NewReservation): unknown[] {
  return [sqliteTime(r.createdAt), sqliteTime(r.expiresAt), r.model, r.username, r.callerName, r.project, r.session, r.inputTokens, r.completionTokens, r.costNanos];
}

/**
 * Inserts one record and its tags; returns its id. Callers that are not in a transaction write
 * a record without tags in one autocommit statement; with tags, both go in one transaction.
 */
export function insertEntry(statements: StatementCache, record: NewUsageRecord): number {
  const insert = statements.get(SQL.insertEntry);
  const pairs = tagPairs(record.tags);
  if (pairs.length === 0) return Number(insert.run(usageParams(record)).lastInsertRowid);
  const write = (): number => {
    const id = Number(insert.run(usageParams(record)).lastInsertRowid);
    const insertTag = statements.get(SQL.insertTag);
    for (const [key, value] of pairs) insertTag.run(id, key, value);
    return id;
  };
  return statements.db.inTransaction ? write() : statements.db.transaction(write).immediate();
}

/** Limits matching the filter with their thresholds and tags, oldest first, read synchronously (alert rules are read inside write transactions). */
export function sqliteLimits(statements: StatementCache, filter: LimitFilter = {}): UsageLimit[] {
  const { sql, params } = listLimitsSql(filter, () => "?");
  return (statements.get(sql).all(params) as Record<string, unknown>[]).map((r) => limitFromRow(r, sqliteDate));
}

/** Every stored price, by model, effective date and id (sorted here: a date column may hold text or epoch milliseconds). */
export function sqlitePrices(statements: StatementCache): ModelPrice[] {
  const rows = statements.get(SQL.listPrices, "exact").all() as Record<string, unknown>[];
  return rows
    .map((r) => priceFromRow(r, sqliteDate))
    .sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0) || a.effectiveFrom.getTime() - b.effectiveFrom.getTime() || a.id - b.id);
}
