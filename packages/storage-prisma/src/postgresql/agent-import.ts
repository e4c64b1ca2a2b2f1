import type pg from "pg";
import type { AgentCall, AgentImportCounts, AgentLogFile, NewUsageRecord } from "@llm-accounting/core";

/** Two importers of the same logs (a watch and a manual run) take turns, so neither sees a key the other has not committed. */
const LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext('llm-accounting:agent-import'))";

/** Every recorded file state of one agent. */
export async function pgAgentLogFiles(query: (sql: string, params: unknown[]) => Promise<pg.QueryResult>, source: string): Promise<AgentLogFile[]> {
  const result = await query("SELECT source, path, size, mtime_ms, position, lines, head, state FROM agent_log_files WHERE source = $1", [source]);
  return result.rows.map((r: Record<string, unknown>) => ({
    source: String(r.source),
    path: String(r.path),
    size: Number(r.size),
    mtimeMs: Number(r.mtime_ms),
    position: Number(r.position),
    lines: Number(r.lines),
    head: String(r.head),
    state: String(r.state),
  }));
}

/** The contract's `importAgentCalls` inside one PostgreSQL transaction (the caller's `client`). */
export async function pgImportAgentCalls(client: pg.PoolClient, insertEntrySql: string, entryParams: (r: NewUsageRecord) => unknown[], calls: readonly AgentCall[], file: AgentLogFile): Promise<AgentImportCounts> {
  await client.query(LOCK_SQL);
  let inserted = 0;
  let updated = 0;
  for (const { key, record: r, cacheWrite1hTokens, subagent } of calls) {
    const known = (await client.query("SELECT entry_id, tokens FROM agent_calls WHERE key = $1", [key])).rows[0] as { entry_id: number; tokens: string } | undefined;
    if (!known) {
      const id = (await client.query(insertEntrySql, entryParams(r))).rows[0].id as number;
      await client.query("INSERT INTO agent_calls (key, entry_id, tokens, cache_write_1h_tokens, subagent) VALUES ($1, $2, $3, $4, $5)", [key, id, r.totalTokens, cacheWrite1hTokens, subagent]);
      inserted++;
    } else if (r.totalTokens > Number(known.tokens)) {
      await client.query(
        "UPDATE accounting_entries SET prompt_tokens = $1, completion_tokens = $2, total_tokens = $3, cached_tokens = $4, cache_write_tokens = $5, reasoning_tokens = $6, cost_nanos = $7, cost_source = $8 WHERE id = $9",
        [r.promptTokens, r.completionTokens, r.totalTokens, r.cachedTokens, r.cacheWriteTokens, r.reasoningTokens, r.costNanos, r.costSource, known.entry_id],
      );
      await client.query("UPDATE agent_calls SET tokens = $1, cache_write_1h_tokens = $2 WHERE key = $3", [r.totalTokens, cacheWrite1hTokens, key]);
      updated++;
    }
  }
  await client.query(
    `INSERT INTO agent_log_files (source, path, size, mtime_ms, position, lines, head, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (source, path) DO UPDATE SET size = EXCLUDED.size, mtime_ms = EXCLUDED.mtime_ms, position = EXCLUDED.position, lines = EXCLUDED.lines, head = EXCLUDED.head, state = EXCLUDED.state`,
    [file.source, file.path, file.size, file.mtimeMs, file.position, file.lines, file.head, file.state],
  );
  return { inserted, updated };
}
