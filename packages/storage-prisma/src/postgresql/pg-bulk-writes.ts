import type pg from "pg";
import type { AgentCall, AgentImportCounts, AgentLogFile, CostChange, ImportBatch, ImportCursor, NewUsageRecord, ProgressListener, PurgeOptions, StoredAlert } from "@llm-accounting/core";
import { pgImportAgentCalls } from "./agent-import.js";
import type { PgAlerts } from "./pg-alerts.js";
import { inTransaction } from "./pg-connection.js";
import { BATCH_LOCK_CLASS, INSERT_SQL, insertParams, insertTaggedChunk, insertUntaggedChunk, usageParams } from "./pg-row-sql.js";
import { retryConflicts } from "./retry-conflicts.js";

// Rows per write transaction of updateCosts and purgeUsage: a concurrent tracker waits for one
// chunk's rollup row locks at most, not for the whole operation.
const ROWS_PER_TRANSACTION = 5_000;

// Batches take one shared lock: their trigger updates of the rollup rows would otherwise cross
// (hourly rows by model, daily rows by user/project/caller) and deadlock each other.
const BATCH_LOCK = "SELECT pg_advisory_xact_lock($1, 0)";

/** Writes a batch in one transaction under the batch lock; returns the alerts it raised. */
export async function insertBatch(pool: pg.Pool, alerts: PgAlerts, records: readonly NewUsageRecord[], rules: Parameters<PgAlerts["raise"]>[1]): Promise<StoredAlert[]> {
  return inTransaction(pool, async (client) => {
    await client.query(BATCH_LOCK, [BATCH_LOCK_CLASS]);
    // Multi-row INSERTs of up to 1,000 rows keep round trips low and stay under the 65,535-parameter cap.
    for (let i = 0; i < records.length; i += 1_000) {
      const chunk = records.slice(i, i + 1_000);
      if (chunk.some((r) => r.tags)) await insertTaggedChunk(client, chunk);
      else await insertUntaggedChunk(client, chunk);
    }
    // Once per batch, in its transaction.
    return rules.length > 0 ? alerts.raise(client, rules, records, new Date()) : [];
  });
}

/**
 * Sets the costs one bounded transaction at a time (one statement per chunk, under the batch
 * lock and retried like batches: the rollup triggers touch the same rows), so trackers in other
 * processes wait for one chunk at most, never for the whole list.
 */
export async function updateCosts(pool: pg.Pool, changes: readonly CostChange[], onProgress?: ProgressListener): Promise<void> {
  for (let done = 0; done < changes.length; ) {
    const chunk = changes.slice(done, done + ROWS_PER_TRANSACTION);
    await retryConflicts(() =>
      inTransaction(pool, async (client) => {
        await client.query(BATCH_LOCK, [BATCH_LOCK_CLASS]);
        await client.query(
          "UPDATE accounting_entries AS e SET cost_nanos = v.cost, cost_source = v.source FROM unnest($1::int[], $2::bigint[], $3::text[]) AS v(id, cost, source) WHERE e.id = v.id",
          [chunk.map((c) => c.id), chunk.map((c) => c.costNanos.toString()), chunk.map((c) => c.costSource)],
        );
      }),
    );
    done += chunk.length;
    onProgress?.(done, changes.length);
  }
}

/**
 * Deletes the matching rows that exist now, lowest id first, one bounded transaction at a time;
 * rows inserted meanwhile take higher ids from the sequence and stay. The rollup triggers
 * subtract each deleted row.
 */
export async function purgeUsage(pool: pg.Pool, options: PurgeOptions = {}): Promise<number> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (options.before !== undefined) {
    params.push(options.before);
    where.push(`timestamp < $${params.length}`);
  }
  if (options.project !== undefined) {
    params.push(options.project);
    where.push(`project = $${params.length}`);
  }
  const matching = where.length ? ` WHERE ${where.join(" AND ")}` : "";
  const bounds = await pool.query<{ last: string; count: string }>(`SELECT COALESCE(MAX(id), 0)::text AS last, COUNT(*)::text AS count FROM accounting_entries${matching}`, params);
  const lastId = Number(bounds.rows[0]!.last);
  const total = Number(bounds.rows[0]!.count);
  const chunkFilter = [...where, `id <= $${params.length + 1}`].join(" AND ");
  options.onProgress?.(0, total);
  let deleted = 0;
  for (;;) {
    const result = await retryConflicts(() =>
      inTransaction(pool, async (client) => {
        await client.query(BATCH_LOCK, [BATCH_LOCK_CLASS]);
        return client.query(`DELETE FROM accounting_entries WHERE id IN (SELECT id FROM accounting_entries WHERE ${chunkFilter} ORDER BY id LIMIT $${params.length + 2})`, [...params, lastId, ROWS_PER_TRANSACTION]);
      }),
    );
    const rows = result.rowCount ?? 0;
    if (rows === 0) return deleted;
    deleted += rows;
    options.onProgress?.(deleted, Math.max(total, deleted));
  }
}

/** Writes one batch of an import and its cursor in one transaction. */
export async function importRows(pool: pg.Pool, batch: ImportBatch, cursor: ImportCursor): Promise<void> {
  return inTransaction(pool, async (client) => {
    if (batch.kind === "usage") {
      for (const row of batch.rows) await client.query(INSERT_SQL, insertParams(row));
    } else if (batch.kind === "audit") {
      for (const e of batch.rows) {
        await client.query(
          "INSERT INTO audit_log_entries (timestamp, app_name, user_name, model, prompt_text, response_text, remote_completion_id, project, log_type, session) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
          [e.timestamp, e.appName, e.userName, e.model, e.promptText, e.responseText, e.remoteCompletionId, e.project, e.logType, e.session],
        );
      }
    } else {
      for (const r of batch.rows) await client.query("INSERT INTO quota_rejections (created_at, session, rejection_message) VALUES ($1, $2, $3)", [r.createdAt, r.session, r.message]);
    }
    await client.query("INSERT INTO store_counters (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", [cursor.key, cursor.value]);
  });
}

/** Under the lock batches take (their rollup-trigger updates would otherwise deadlock with these), retried like batches. */
export async function importAgentCalls(pool: pg.Pool, calls: readonly AgentCall[], file: AgentLogFile): Promise<AgentImportCounts> {
  return retryConflicts(() =>
    inTransaction(pool, async (client) => {
      await client.query(BATCH_LOCK, [BATCH_LOCK_CLASS]);
      return pgImportAgentCalls(client, usageParams, calls, file);
    }),
  );
}
