import type { AgentCall, AgentImportCounts, AgentLogFile } from "@llm-accounting/core";
import { AGENT_LOG_FILE_COLUMNS, agentLogFileOfRow } from "../shared/agent-log-file-row.js";
import { GROWN_COLUMNS, grownParams } from "../shared/sql-columns.js";
import { SQL, usageParams } from "./sqlite-statements.js";
import type { StatementCache } from "./statement-cache.js";

const AGENT_SQL = {
  findCall: "SELECT entry_id, tokens FROM agent_calls WHERE key = ?",
  insertCall: "INSERT INTO agent_calls (key, entry_id, tokens, cache_write_1h_tokens, subagent) VALUES (?, ?, ?, ?, ?)",
  growCall: "UPDATE agent_calls SET tokens = ?, cache_write_1h_tokens = ? WHERE key = ?",
  updateEntry: `UPDATE accounting_entries SET ${GROWN_COLUMNS.map((c) => `${c} = ?`).join(", ")} WHERE id = ?`,
  saveFile: `INSERT INTO agent_log_files (source, path, size, mtime_ms, position, lines, head, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (source, path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, position = excluded.position, lines = excluded.lines, head = excluded.head, state = excluded.state`,
  listFiles: `SELECT ${AGENT_LOG_FILE_COLUMNS} FROM agent_log_files WHERE source = ?`,
} as const;

/** Every recorded file state of one agent. */
export function sqliteAgentLogFiles(statements: StatementCache, source: string): AgentLogFile[] {
  return (statements.get(AGENT_SQL.listFiles).all(source) as Record<string, unknown>[]).map(agentLogFileOfRow);
}

/** The contract's `importAgentCalls` on one SQLite connection: one IMMEDIATE transaction (calls and file state). */
export function sqliteImportAgentCalls(statements: StatementCache, calls: readonly AgentCall[], file: AgentLogFile): AgentImportCounts {
  const statement = (name: keyof typeof AGENT_SQL) => statements.get(AGENT_SQL[name]);
  const s = { findCall: statement("findCall"), insertCall: statement("insertCall"), growCall: statement("growCall"), updateEntry: statement("updateEntry"), saveFile: statement("saveFile") };
  const insertEntry = statements.get(SQL.insertEntry);
  const write = statements.db.transaction((): AgentImportCounts => {
    let inserted = 0;
    let updated = 0;
    for (const { key, record: r, cacheWrite1hTokens, subagent } of calls) {
      const known = s.findCall.get(key) as { entry_id: number; tokens: number } | undefined;
      if (!known) {
        const id = insertEntry.run(usageParams(r)).lastInsertRowid;
        s.insertCall.run(key, id, r.totalTokens, cacheWrite1hTokens, subagent);
        inserted++;
      } else if (r.totalTokens > known.tokens) {
        s.updateEntry.run(...grownParams(usageParams(r)), known.entry_id);
        s.growCall.run(r.totalTokens, cacheWrite1hTokens, key);
        updated++;
      }
    }
    s.saveFile.run(file.source, file.path, file.size, file.mtimeMs, file.position, file.lines, file.head, file.state);
    return { inserted, updated };
  });
  return write.immediate();
}
