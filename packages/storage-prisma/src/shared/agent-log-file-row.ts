import type { AgentLogFile } from "@llm-accounting/core";

/** The agent_log_files columns both dialects select, in order. */
export const AGENT_LOG_FILE_COLUMNS = "source, path, size, mtime_ms, position, lines, head, state";

/** An agent_log_files row as either driver returns it (BIGINT as number, bigint or string). */
export function agentLogFileOfRow(r: Record<string, unknown>): AgentLogFile {
  return {
    source: String(r.source),
    path: String(r.path),
    size: Number(r.size),
    mtimeMs: Number(r.mtime_ms),
    position: Number(r.position),
    lines: Number(r.lines),
    head: String(r.head),
    state: String(r.state),
  };
}
