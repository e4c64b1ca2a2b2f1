import type { NewUsageRecord } from "./usage-record.js";

/** One model call found in a coding agent's log, ready to store. */
export interface AgentCall {
  /**
   * The call's identity in the logs (e.g. `claude:<message id>:<request id>`), unique across
   * files and runs: a second copy of a key is the same call seen again.
   */
  readonly key: string;
  /** The row to store (cost already priced or carried over from the log). */
  readonly record: NewUsageRecord;
  /** Of `record.cacheWriteTokens`, those written with the 1-hour TTL (the rest are 5-minute writes). */
  readonly cacheWrite1hTokens: number;
  /** The sub-agent that made the call (its id or role), null for the main agent. */
  readonly subagent: string | null;
}

/** How far the import of one log file got, stored with the rows it produced. */
export interface AgentLogFile {
  /** Which agent wrote the file (`claude-code`, `codex`). */
  readonly source: string;
  /** Absolute path of the file. */
  readonly path: string;
  /** File size and modification time (ms) when last read: unchanged values mean nothing to read. */
  readonly size: number;
  readonly mtimeMs: number;
  /** Byte offset just past the last complete line read. */
  readonly position: number;
  /** Complete lines before `position` (for warnings that name a line). */
  readonly lines: number;
  /** Fingerprint of the file's first bytes: a replaced file is read again from the start. */
  readonly head: string;
  /** The parser's state at `position` as JSON (Codex keeps its cumulative baseline there). */
  readonly state: string;
}

/** What one `importAgentCalls` did. */
export interface AgentImportCounts {
  /** Calls stored for the first time. */
  readonly inserted: number;
  /** Calls stored before and now updated from a larger copy (a streamed call's final line). */
  readonly updated: number;
}

/** The part of the contract agent-log imports use. */
export interface AgentImportStore {
  /** Every file state recorded for `source`. */
  agentLogFiles(source: string): Promise<AgentLogFile[]>;
  /**
   * In one transaction: inserts the calls whose key is new, updates the tokens and cost of a
   * known call when this copy has more tokens (keeping its first timestamp, session and project),
   * ignores the rest, and records `file`. So a rerun, a copy in another file or a crash between
   * two batches never counts a call twice.
   */
  importAgentCalls(calls: readonly AgentCall[], file: AgentLogFile): Promise<AgentImportCounts>;
}
