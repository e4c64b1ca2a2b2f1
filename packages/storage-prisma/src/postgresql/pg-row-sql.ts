import type pg from "pg";
import { encodeTags, type NewReservation, type NewUsageRecord } from "@llm-accounting/core";
import { USAGE_COLUMNS, usageParamsOf } from "../shared/sql-columns.js";

// Advisory locks take two int4 keys: a class id (any constant) and the limit id (0 for batches).
export const LIMIT_LOCK_CLASS = 0x4c4c4d41;
export const BATCH_LOCK_CLASS = 0x4c4c4d42;

const placeholders = USAGE_COLUMNS.map((_, i) => `$${i + 1}`).join(", ");
// One statement writes the row and its tags (jsonb_each_text of NULL yields no rows), so every
// caller gets both atomically without a transaction of its own.
const TAGS_PARAM = USAGE_COLUMNS.length + 1;
/** Inserts one usage row and its tags; parameters from `insertParams`; returns the id. */
export const INSERT_SQL =
  `WITH entry AS (INSERT INTO accounting_entries (${USAGE_COLUMNS.join(", ")}) VALUES (${placeholders}) RETURNING id), ` +
  `tags AS (INSERT INTO usage_tags (entry_id, key, value) SELECT entry.id, t.key, t.value FROM entry, jsonb_each_text($${TAGS_PARAM}::jsonb) AS t) ` +
  "SELECT id FROM entry";

/** The columns of a reservation row, in `reservationParams` order. */
export const RESERVATION_COLUMNS = ["created_at", "expires_at", "model", "username", "caller_name", "project", "session", "input_tokens", "completion_tokens", "cost_nanos"];
/** The reservation and its tags (so TAG limits count it; they go with it by ON DELETE CASCADE) in one statement. */
export const INSERT_RESERVATION_SQL =
  `WITH r AS (INSERT INTO quota_reservations (${RESERVATION_COLUMNS.join(", ")}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id), ` +
  "t AS (INSERT INTO quota_reservation_tags (reservation_id, key, value) SELECT r.id, t.key, t.value FROM r, jsonb_each_text($11::jsonb) AS t) SELECT id FROM r";
/** Inserts a quota rejection; returns the id. */
export const INSERT_REJECTION_SQL = "INSERT INTO quota_rejections (created_at, session, rejection_message) VALUES ($1, $2, $3) RETURNING id";

/** INSERT_SQL's parameters: the row's, then its tags as JSON (null for none). */
export function insertParams(r: NewUsageRecord): unknown[] {
  return [...usageParams(r), encodeTags(r.tags)];
}

/** A usage record's values in USAGE_COLUMNS order (both derived from core's column table). */
export function usageParams(r: NewUsageRecord): unknown[] {
  return usageParamsOf(r, PG_ENCODING);
}

// Instants as Date (pg sends them as timestamptz); nano-dollars as text, so bigints stay exact; flags as booleans.
const PG_ENCODING = { instant: (d: Date) => d, nanos: (n: bigint) => n.toString(), flag: (b: boolean) => b };

/** A reservation's values in RESERVATION_COLUMNS order. */
export function reservationParams(r: NewReservation): unknown[] {
  return [r.createdAt, r.expiresAt, r.model, r.username, r.callerName, r.project, r.session, r.inputTokens, r.completionTokens, r.costNanos.toString()];
}

/**
 * Up to 1,000 records, some tagged: their ids are drawn from the table's sequence first (a
 * multi-row INSERT ... RETURNING does not promise its rows in VALUES order), then the rows and
 * their tags go in two multi-row statements. At most 16 tags a record keeps the tag insert under
 * PostgreSQL's 65,535 parameters.
 */
export async function insertTaggedChunk(client: pg.PoolClient, chunk: readonly NewUsageRecord[]): Promise<void> {
  const drawn = await client.query<{ id: number }>("SELECT nextval(pg_get_serial_sequence('accounting_entries', 'id'))::int AS id FROM generate_series(1, $1)", [chunk.length]);
  const ids = drawn.rows.map((row) => Number(row.id)).sort((a, b) => a - b);
  const columns = ["id", ...USAGE_COLUMNS];
  const width = columns.length;
  const values = chunk.map((_, r) => `(${columns.map((__, c) => `$${r * width + c + 1}`).join(", ")})`).join(", ");
  await client.query(`INSERT INTO accounting_entries (${columns.join(", ")}) VALUES ${values}`, chunk.flatMap((record, r) => [ids[r], ...usageParams(record)]));
  const tags = chunk.flatMap((record, r) => Object.entries(record.tags ?? {}).map(([key, value]) => [ids[r], key, value]));
  if (tags.length === 0) return;
  const tagValues = tags.map((_, t) => `($${t * 3 + 1}, $${t * 3 + 2}, $${t * 3 + 3})`).join(", ");
  await client.query(`INSERT INTO usage_tags (entry_id, key, value) VALUES ${tagValues}`, tags.flat());
}

/** Inserts untagged records with multi-row statements of up to 1,000 rows (under the 65,535-parameter cap). */
export async function insertUntaggedChunk(client: pg.PoolClient, chunk: readonly NewUsageRecord[]): Promise<void> {
  const width = USAGE_COLUMNS.length;
  const values = chunk.map((_, r) => `(${USAGE_COLUMNS.map((__, c) => `$${r * width + c + 1}`).join(", ")})`).join(", ");
  await client.query(`INSERT INTO accounting_entries (${USAGE_COLUMNS.join(", ")}) VALUES ${values}`, chunk.flatMap(usageParams));
}
