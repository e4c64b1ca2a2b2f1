import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { Accounting } from "@llm-accounting/core";
import { createPricer } from "@llm-accounting/pricing";
import { importAgentLogs } from "@llm-accounting/agent-logs";
import { medianMs, round } from "./measure.mjs";

const CWD = "/home/bench/code/shop-api";
const MODELS = ["claude-sonnet-4-5-20250929", "claude-opus-4-1-20250805", "claude-haiku-4-5-20251001"];

/**
 * Writes `megabytes` of Claude Code logs under `dir/projects/` in files of about 4 MB, shaped like
 * real sessions: a prompt, tool results (large lines without usage), and responses streamed as
 * two or three lines per call (placeholder output first). Returns the number of distinct calls.
 */
export function writeClaudeLogs(dir, megabytes) {
  const project = join(dir, "projects", "-home-bench-code-shop-api");
  mkdirSync(project, { recursive: true });
  const fileBytes = 4 << 20;
  const prose = "The handler paginates with a cursor on (created_at, id) so that inserts during a scan neither skip nor repeat rows. ".repeat(8);
  const toolOutput = JSON.stringify("src/orders.ts:1: import { db } from './db';\n".repeat(60));
  let calls = 0;
  let written = 0;
  for (let f = 0; written < megabytes * 1e6; f++) {
    const session = `bench-${String(f).padStart(6, "0")}-0000-4000-8000-000000000000`;
    const fd = openSync(join(project, `${session}.jsonl`), "w");
    let size = 0;
    let parts = [];
    let time = Date.UTC(2026, 10, 1) + f * 3_600_000;
    const push = (line) => {
      parts.push(line, "\n");
      size += line.length + 1;
    };
    while (size < fileBytes) {
      const model = MODELS[calls % MODELS.length];
      const stamp = new Date((time += 7_000)).toISOString();
      push(`{"parentUuid":"p","isSidechain":false,"userType":"external","cwd":"${CWD}","sessionId":"${session}","version":"2.1.231","type":"user","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_${calls}","content":${toolOutput}}]},"uuid":"u${calls}","timestamp":"${stamp}"}`);
      const blocks = 2 + (calls % 2);
      for (let b = 0; b < blocks; b++) {
        const last = b === blocks - 1;
        push(
          `{"parentUuid":"u${calls}","isSidechain":false,"userType":"external","cwd":"${CWD}","sessionId":"${session}","version":"2.1.231","gitBranch":"main","message":{"model":"${model}","id":"msg_bench_${calls}","type":"message","role":"assistant","content":[{"type":"text","text":"${prose}"}],"stop_reason":${last ? '"end_turn"' : "null"},"stop_sequence":null,"usage":{"input_tokens":${3 + (calls % 50)},"cache_creation_input_tokens":${calls % 7 === 0 ? 2048 : 0},"cache_read_input_tokens":${20_000 + (calls % 5000)},"cache_creation":{"ephemeral_5m_input_tokens":${calls % 14 === 0 ? 2048 : 0},"ephemeral_1h_input_tokens":${calls % 14 === 7 ? 2048 : 0}},"output_tokens":${last ? 100 + (calls % 900) : 1},"service_tier":"standard"}},"requestId":"req_bench_${calls}","type":"assistant","uuid":"a${calls}-${b}","timestamp":"${stamp}"}`,
        );
      }
      calls++;
      if (parts.length > 2_000) {
        writeSync(fd, parts.join(""));
        parts = [];
      }
    }
    writeSync(fd, parts.join(""));
    closeSync(fd);
    written += size;
  }
  return calls;
}

/**
 * Writes `megabytes` of Codex rollouts under `dir/sessions/` in files of about 4 MB: per call a
 * reasoning item, a tool call and its output, an assistant message, and the token_count event
 * followed by a re-emitted copy (as Codex writes them). Returns the number of calls.
 */
export function writeCodexLogs(dir, megabytes) {
  const day = join(dir, "sessions", "2026", "11", "03");
  mkdirSync(day, { recursive: true });
  const fileBytes = 4 << 20;
  const output = JSON.stringify("src/orders.ts:1: import { db } from './db';\n".repeat(40));
  const encrypted = "gAAAAB".padEnd(1800, "x");
  let calls = 0;
  let written = 0;
  for (let f = 0; written < megabytes * 1e6; f++) {
    const session = `0199a000-0000-7000-8000-${String(f).padStart(12, "0")}`;
    const fd = openSync(join(day, `rollout-2026-11-03T10-00-00-${session}.jsonl`), "w");
    let time = Date.UTC(2026, 10, 3) + f * 3_600_000;
    const stamp = () => new Date((time += 1_000)).toISOString();
    const parts = [`{"timestamp":"${stamp()}","type":"session_meta","payload":{"id":"${session}","timestamp":"${stamp()}","cwd":"${CWD}","originator":"codex_cli_rs","cli_version":"0.58.0","instructions":null,"source":"cli","model_provider":"openai"}}\n`];
    let size = parts[0].length;
    const total = [0, 0, 0, 0, 0];
    const push = (line) => {
      parts.push(line, "\n");
      size += line.length + 1;
    };
    for (let turn = 0; size < fileBytes; turn++) {
      if (turn % 5 === 0) push(`{"timestamp":"${stamp()}","type":"turn_context","payload":{"cwd":"${CWD}","approval_policy":"on-request","sandbox_policy":{"mode":"workspace-write"},"model":"${turn % 10 === 0 ? "gpt-5.3-codex" : "gpt-5.5"}","effort":"medium","summary":"auto"}}`);
      push(`{"timestamp":"${stamp()}","type":"response_item","payload":{"type":"reasoning","summary":[],"content":null,"encrypted_content":"${encrypted}"}}`);
      push(`{"timestamp":"${stamp()}","type":"response_item","payload":{"type":"function_call","name":"shell","arguments":"{\\"command\\":[\\"rg\\",\\"orders\\"]}","call_id":"call_${calls}"}}`);
      push(`{"timestamp":"${stamp()}","type":"response_item","payload":{"type":"function_call_output","call_id":"call_${calls}","output":${output}}}`);
      const last = [12_000 + (calls % 900), 9_000, 300 + (calls % 400), 128, 0];
      last[4] = last[0] + last[2];
      for (let i = 0; i < 5; i++) total[i] += last[i];
      const usage = (u) => `{"input_tokens":${u[0]},"cached_input_tokens":${u[1]},"output_tokens":${u[2]},"reasoning_output_tokens":${u[3]},"total_tokens":${u[4]}}`;
      const event = `"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":${usage(total)},"last_token_usage":${usage(last)},"model_context_window":272000},"rate_limits":{"primary":{"used_percent":12.0,"window_minutes":300,"resets_at":1794000000},"secondary":null}}}`;
      push(`{"timestamp":"${stamp()}",${event}`);
      push(`{"timestamp":"${stamp()}",${event}`);
      calls++;
    }
    writeSync(fd, parts.join(""));
    closeSync(fd);
    written += size;
  }
  return calls;
}

/** Times one agent's first import and its unchanged rerun. */
async function timeImport(agent, accounting, dir, calls) {
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const rssBefore = process.memoryUsage().rss;
  const began = performance.now();
  const first = await importAgentLogs(agent, accounting, { dir });
  const seconds = (performance.now() - began) / 1000;
  clearInterval(sampler);
  if (first.inserted !== calls) throw new Error(`${agent} import recorded ${first.inserted} of ${calls} calls`);
  let rerun;
  const rerunMs = await medianMs(async () => {
    rerun = await importAgentLogs(agent, accounting, { dir });
  });
  if (rerun.filesRead !== 0 || rerun.inserted !== 0) throw new Error(`an unchanged ${agent} rerun read ${rerun.filesRead} files`);
  return {
    megabytes: round(first.bytesRead / 1e6),
    files: first.files,
    calls,
    first_import_mb_per_s: round(first.bytesRead / 1e6 / seconds),
    first_import_s: round(seconds),
    peak_rss_growth_mb: round((peakRss - rssBefore) / 1e6),
    unchanged_rerun_ms: rerunMs,
  };
}

/**
 * `agent_import`: the first import of a generated Claude Code log tree of `megabytes` (MB/s, peak
 * RSS), then a rerun over the unchanged tree (ms: one stat per file and one query, nothing read);
 * the same for Codex rollouts of a quarter of that size under `codex`.
 */
export async function benchAgentImport(openStore, dir, megabytes) {
  const accounting = new Accounting({ store: openStore(), pricer: createPricer() });
  await accounting.open();
  try {
    const claude = await timeImport("claude-code", accounting, join(dir, "claude"), writeClaudeLogs(join(dir, "claude"), megabytes));
    const codex = await timeImport("codex", accounting, join(dir, "codex"), writeCodexLogs(join(dir, "codex"), megabytes / 4));
    return { ...claude, codex };
  } finally {
    await accounting.close();
  }
}
