import type pg from "pg";
import type { AgentCall, AgentImportCounts, AgentLogFile, NewUsageRecord } from "@llm-accounting/core";
import { GROWN_COLUMNS, grownParams, USAGE_COLUMNS } from "../shared/sql-columns.js";
import { AGENT_LOG_FILE_COLUMNS, agentLogFileOfRow } from "../shared/agent-log-file-row.js";

/** Rows per multi-row INSERT: few round trips, and under PostgreSQL's 65,535-parameter cap (20 columns). */
const ROWS_PER_INSERT = 1_000;

/** Every recorded file state of one agent. */
export async function pgAgentLogFiles(query: (sql: string, params: unknown[]) => Promise<pg.QueryResult>, source: string): Promise<AgentLogFile[]> {
  const result = await query(`SELECT ${AGENT_LOG_FILE_COLUMNS} FROM agent_log_files WHERE source = $1`, [source]);
  return result.rows.map(agentLogFileOfRow);
}

const GROW_SQL = `UPDATE accounting_entries SET ${GROWN_COLUMNS.map((c, i) => `${c} = $${i + 1}`).join(", ")} WHERE id = $${GROWN_COLUMNS.length + 1}`;

const placeholders = (rows: number, width: number) =>
  Array.from({ length: rows }, (_, r) => `(${Array.from({ length: width }, (__, c) => `$${r * width + c + 1}`).join(", ")})`).join(", ");

/**
 * The contract's `importAgentCalls` inside one PostgreSQL transaction (the caller's `client`, which
 * already holds the lock batches take), set-based: one lookup of the batch's keys, entry ids drawn
 * from the sequence in one query (so each call's key row names its entry without relying on the
 * order RETURNING gives), multi-row inserts, and an UPDATE per call that grew.
 */
export async function pgImportAgentCalls(client: pg.PoolClient, entryParams: (r: NewUsageRecord) => unknown[], calls: readonly AgentCall[], file: AgentLogFile): Promise<AgentImportCounts> {
  const largest = new Map<string, AgentCall>();
  for (const call of calls) {
    const seen = largest.get(call.key);
    if (!seen || call.record.totalTokens > seen.record.totalTokens) largest.set(call.key, call);
  }
  const known = new Map<string, { entry_id: number; tokens: string }>();
  if (largest.size > 0) {
    const rows = (await client.query("SELECT key, entry_id, tokens FROM agent_calls WHERE key = ANY($1::text[])", [[...largest.keys()]])).rows as { key: string; entry_id: number; tokens: string }[];
    for (const row of rows) known.set(row.key, row);
  }
  const fresh = [...largest.values()].filter((c) => !known.has(c.key));
  let updated = 0;
  for (const { key, record: r, cacheWrite1hTokens } of largest.values()) {
    const stored = known.get(key);
    if (!stored || r.totalTokens <= Number(stored.tokens)) continue;
    await client.query(GROW_SQL, [...grownParams(entryParams(r)), stored.entry_id]);
    await client.query("UPDATE agent_calls SET tokens = $1, cache_write_1h_tokens = $2 WHERE key = $3", [r.totalTokens, cacheWrite1hTokens, key]);
    updated++;
  }
  if (fresh.length > 0) {
    const ids = (await client.query("SELECT nextval(pg_get_serial_sequence('accounting_entries', 'id'))::int AS id FROM generate_series(1, $1)", [fresh.length])).rows.map((row: { id: number }) => row.id);
    for (let i = 0; i < fresh.length; i += ROWS_PER_INSERT) {
      const chunk = fresh.slice(i, i + ROWS_PER_INSERT);
      await client.query(
        `INSERT INTO accounting_entries (id, ${USAGE_COLUMNS.join(", ")}) VALUES ${placeholders(chunk.length, USAGE_COLUMNS.length + 1)}`,
        chunk.flatMap((c, j) => [ids[i + j], ...entryParams(c.record)]),
      );
      await client.query(
        `INSERT INTO agent_calls (key, entry_id, tokens, cache_write_1h_tokens, subagent) VALUES ${placeholders(chunk.length, 5)}`,
        chunk.flatMap((c, j) => [c.key, ids[i + j], c.record.totalTokens, c.cacheWrite1hTokens, c.subagent]),
      );
    }
  }
  await client.query(
    `INSERT INTO agent_log_files (source, path, size, mtime_ms, position, lines, head, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (source, path) DO UPDATE SET size = EXCLUDED.size, mtime_ms = EXCLUDED.mtime_ms, position = EXCLUDED.position, lines = EXCLUDED.lines, head = EXCLUDED.head, state = EXCLUDED.state`,
    [file.source, file.path, file.size, file.mtimeMs, file.position, file.lines, file.head, file.state],
  );
  return { inserted: fresh.length, updated };
}
