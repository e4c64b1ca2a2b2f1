/** One model call as a log line describes it, in llm-accounting's token semantics. */
export interface LoggedCall {
  /** Identity of the call in the logs; copies of one call share it. */
  readonly key: string;
  readonly timestamp: Date;
  /** The model exactly as logged. */
  readonly model: string;
  readonly provider: string | null;
  readonly session: string | null;
  readonly project: string | null;
  /** Sub-agent id or role; null for the main agent. */
  readonly subagent: string | null;
  /** Every input token, cache reads and writes included. */
  readonly promptTokens: number;
  readonly cachedTokens: number;
  readonly cacheWriteTokens: number;
  /** Of cacheWriteTokens, those written with the 1-hour TTL. */
  readonly cacheWrite1hTokens: number;
  /** Every output token, reasoning included. */
  readonly completionTokens: number;
  readonly reasoningTokens: number;
  /** A cost the log itself states (old Claude Code `costUSD`), in USD. */
  readonly reportedCostUsd: number | null;
}

/** A log's token count: a non-negative integer, else 0 (logs from odd builds carry nulls). */
export function tokenCount(value: unknown): number {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0 ? value : 0;
}

/** A log's timestamp, or null when absent or not a date. */
export function loggedTime(value: unknown): Date | null {
  if (typeof value !== "string") return null;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? null : time;
}

/** A non-empty string field, else null. */
export function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

/** The project of a working directory: the path itself (trailing separators dropped), see docs/agent-logs.md. */
export function projectOfCwd(cwd: unknown): string | null {
  const path = text(cwd);
  if (path === null) return null;
  const trimmed = path.replace(/[\\/]+$/, "");
  return trimmed === "" ? path : trimmed;
}
