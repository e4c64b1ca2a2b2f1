import { loggedTime, projectOfCwd, text, tokenCount, type LoggedCall } from "../agent-call-line.js";

/** Claude Code writes these lines itself (API errors, limit notices): no model was called. */
const SYNTHETIC_MODEL = "<synthetic>";

/** Bytes every Claude Code line with token usage contains (escaped copies inside text do not match). */
export const CLAUDE_USAGE_MARKER = Buffer.from('"usage":');

/**
 * The model call a parsed Claude Code line records, or null for every other line (prompts, tool
 * results, summaries, `<synthetic>` notices). `fileAgent` is the sub-agent the file belongs to
 * (from its `agent-<id>.jsonl` name), for lines that do not name one.
 */
export function claudeCallOfLine(line: unknown, fileAgent: string | null): LoggedCall | null {
  if (line === null || typeof line !== "object") return null;
  const entry = line as Record<string, unknown>;
  if (entry.type !== "assistant") return null;
  const message = entry.message as Record<string, unknown> | undefined;
  if (!message || typeof message !== "object") return null;
  const usage = message.usage as Record<string, unknown> | undefined;
  const model = text(message.model);
  if (!usage || typeof usage !== "object" || model === null || model === SYNTHETIC_MODEL) return null;
  const timestamp = loggedTime(entry.timestamp);
  const messageId = text(message.id);
  if (timestamp === null || messageId === null) return null;
  const requestId = text(entry.requestId);

  const input = tokenCount(usage.input_tokens);
  const cacheRead = tokenCount(usage.cache_read_input_tokens);
  const breakdown = usage.cache_creation as Record<string, unknown> | undefined;
  // The TTL breakdown, when logged, is the authority on writes (its sum is what was billed).
  const write5m = breakdown && typeof breakdown === "object" ? tokenCount(breakdown.ephemeral_5m_input_tokens) : 0;
  const write1h = breakdown && typeof breakdown === "object" ? tokenCount(breakdown.ephemeral_1h_input_tokens) : 0;
  const cacheWrite = write5m + write1h > 0 ? write5m + write1h : tokenCount(usage.cache_creation_input_tokens);
  const cost = entry.costUSD;
  return {
    // Every content block of one response is its own line with the same ids: one call.
    key: requestId === null ? `claude:${messageId}` : `claude:${messageId}:${requestId}`,
    timestamp,
    model,
    provider: "anthropic",
    session: text(entry.sessionId),
    project: projectOfCwd(entry.cwd),
    subagent: text(entry.agentId) ?? fileAgent,
    promptTokens: input + cacheRead + cacheWrite,
    cachedTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    cacheWrite1hTokens: write1h,
    completionTokens: tokenCount(usage.output_tokens),
    reasoningTokens: 0,
    reportedCostUsd: typeof cost === "number" && Number.isFinite(cost) && cost >= 0 ? cost : null,
  };
}

/** The sub-agent a Claude Code log file belongs to by its name (`agent-<id>.jsonl`), else null. */
export function claudeFileAgent(fileName: string): string | null {
  const match = /^agent-(.+)\.jsonl$/.exec(fileName);
  return match ? match[1]! : null;
}
