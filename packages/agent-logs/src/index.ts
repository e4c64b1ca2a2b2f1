/**
 * @llm-accounting/agent-logs: records the model calls coding agents log on disk (Claude Code's
 * `projects/`, Codex CLI's `sessions/`) into llm-accounting, each call once, incrementally.
 */
export { importAgentLogs, type AgentImportOptions, type AgentImportSummary } from "./import-agent-logs.js";
export { watchAgentLogs, type AgentWatchOptions } from "./watch-agent-logs.js";
export { logFiles, logRoots, type AgentName } from "./log-locations.js";
export { claudeCallOfLine } from "./claude-code/claude-line.js";
export { codexCallOfLine, emptyCodexState, type CodexState } from "./codex/codex-session.js";
export type { LoggedCall } from "./agent-call-line.js";
