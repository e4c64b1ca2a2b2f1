import { loggedTime, projectOfCwd, text, tokenCount, type LoggedCall } from "../agent-call-line.js";

/** Bytes of the only Codex lines the importer needs; the rest of a rollout is skipped unparsed. */
export const CODEX_MARKERS = [Buffer.from('"token_count"'), Buffer.from('"turn_context"'), Buffer.from('"session_meta"')];

/** The model Codex builds of early September 2025 used when they logged no `turn_context`. */
export const CODEX_MODEL_WHEN_UNLOGGED = "gpt-5";

/** input, cached input, output, reasoning output, total: Codex's TokenUsage in a fixed order. */
type Usage = [number, number, number, number, number];

/** What a Codex rollout has said so far that later lines depend on; persisted between runs as JSON. */
export interface CodexState {
  session: string | null;
  /** The session a sub-agent was spawned from, whose id its calls are filed under. */
  parentSession: string | null;
  subagent: string | null;
  cwd: string | null;
  provider: string | null;
  model: string | null;
  /** The last cumulative `total_token_usage` seen: the baseline of the next call. */
  total: Usage | null;
}

/** The state of a file not read yet. */
export function emptyCodexState(): CodexState {
  return { session: null, parentSession: null, subagent: null, cwd: null, provider: null, model: null, total: null };
}

function usageOf(value: unknown): Usage | null {
  if (value === null || typeof value !== "object") return null;
  const u = value as Record<string, unknown>;
  return [tokenCount(u.input_tokens), tokenCount(u.cached_input_tokens), tokenCount(u.output_tokens), tokenCount(u.reasoning_output_tokens), tokenCount(u.total_tokens)];
}

const grew = (a: Usage, from: Usage) => a.every((v, i) => v >= from[i]!);

/** A session id named anywhere in a sub-agent `source` (`{"subagent": {"thread_spawn": {"parent_thread_id": …}}}`). */
function parentOf(source: unknown, depth = 0): string | null {
  if (source === null || typeof source !== "object" || depth > 4) return null;
  const record = source as Record<string, unknown>;
  const direct = text(record.parent_thread_id) ?? text(record.parent_session_id) ?? text(record.parent_id);
  if (direct !== null) return direct;
  for (const value of Object.values(record)) {
    const found = parentOf(value, depth + 1);
    if (found !== null) return found;
  }
  return null;
}

function readMeta(state: CodexState, payload: Record<string, unknown>): void {
  state.session = text(payload.id) ?? state.session;
  state.cwd = text(payload.cwd) ?? state.cwd;
  state.provider = text(payload.model_provider) ?? state.provider;
  state.model = text(payload.model) ?? state.model;
  const source = payload.source;
  const sub = source !== null && typeof source === "object" ? (source as Record<string, unknown>).subagent : undefined;
  if (sub !== undefined) {
    state.parentSession = parentOf(sub);
    state.subagent = text(payload.agent_nickname) ?? text(payload.agent_role) ?? text(sub) ?? "subagent";
  } else {
    state.parentSession = null;
    state.subagent = null;
  }
}

/**
 * Feeds one parsed rollout line to the session state; returns the model call it completes, if any.
 * A call is a `token_count` event whose cumulative total moved: its usage is the difference from
 * the previous total (re-emitted events with an unchanged total are not calls). When the total
 * goes back (a reset) or the file starts mid-session (a fork, a resume), the event's own
 * `last_token_usage` is the call and the baseline restarts there.
 */
export function codexCallOfLine(state: CodexState, line: unknown): LoggedCall | null {
  if (line === null || typeof line !== "object") return null;
  const entry = line as Record<string, unknown>;
  const payload = entry.payload as Record<string, unknown> | undefined;
  if (!payload || typeof payload !== "object") return null;
  if (entry.type === "session_meta") {
    readMeta(state, payload);
    return null;
  }
  if (entry.type === "turn_context") {
    state.model = text(payload.model) ?? state.model;
    state.cwd = text(payload.cwd) ?? state.cwd;
    return null;
  }
  if (entry.type !== "event_msg" || payload.type !== "token_count") return null;
  const info = payload.info as Record<string, unknown> | null | undefined;
  if (!info || typeof info !== "object") return null;
  const total = usageOf(info.total_token_usage);
  const last = usageOf(info.last_token_usage);
  if (total === null) return null;
  const previous = state.total;
  const call: Usage = previous !== null && grew(total, previous) ? (total.map((v, i) => v - previous[i]!) as Usage) : (last ?? total);
  state.total = total;
  const timestamp = loggedTime(entry.timestamp);
  // An unchanged total (a re-emitted counter) gives an all-zero difference: not a call.
  if (timestamp === null || call.every((v) => v === 0)) return null;
  const [input, cached, output, reasoning] = call;
  const session = state.parentSession ?? state.session;
  return {
    // A fork replays its parent's events under the parent's session_meta: same session, same running total, same key.
    key: `codex:${state.session ?? ""}:${total.join(",")}`,
    timestamp,
    model: state.model ?? CODEX_MODEL_WHEN_UNLOGGED,
    provider: state.provider ?? "openai",
    session,
    project: projectOfCwd(state.cwd),
    subagent: state.subagent,
    promptTokens: input,
    cachedTokens: Math.min(cached, input),
    cacheWriteTokens: 0,
    cacheWrite1hTokens: 0,
    completionTokens: output,
    reasoningTokens: Math.min(reasoning, output),
    reportedCostUsd: null,
  };
}
