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
 * `agent_import`: the first import of a generated Claude Code log tree (MB/s, peak RSS), then a
 * rerun over the unchanged tree (ms: one stat per file and one query, nothing read).
 */
export async function benchAgentImport(openStore, dir, megabytes) {
  const calls = writeClaudeLogs(dir, megabytes);
  const accounting = new Accounting({ store: openStore(), pricer: createPricer() });
  await accounting.open();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const rssBefore = process.memoryUsage().rss;
  const began = performance.now();
  const first = await importAgentLogs("claude-code", accounting, { dir });
  const seconds = (performance.now() - began) / 1000;
  clearInterval(sampler);
  if (first.inserted !== calls) throw new Error(`agent import recorded ${first.inserted} of ${calls} calls`);
  let rerun;
  const rerunMs = await medianMs(async () => {
    rerun = await importAgentLogs("claude-code", accounting, { dir });
  });
  if (rerun.filesRead !== 0 || rerun.inserted !== 0) throw new Error(`an unchanged rerun read ${rerun.filesRead} files`);
  await accounting.close();
  const bytes = first.bytesRead;
  return {
    megabytes: round(bytes / 1e6),
    files: first.files,
    calls,
    first_import_mb_per_s: round(bytes / 1e6 / seconds),
    first_import_s: round(seconds),
    peak_rss_growth_mb: round((peakRss - rssBefore) / 1e6),
    unchanged_rerun_ms: rerunMs,
  };
}
