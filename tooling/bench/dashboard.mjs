import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Accounting } from "@llm-accounting/core";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { medianMs, round } from "./measure.mjs";

const MODELS = ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4", "claude-haiku", "gemini-2.5-pro", "llama-3-70b", "o3", "mistral-large"];
const app = fileURLToPath(new URL("../../apps/llm-acct/bin/llm-acct.js", import.meta.url));

/**
 * dashboard: `rows` entries over 30 days; first_screen_ms is a whole `llm-acct` process (Node
 * start-up, open, every overview query, the rendered screen) with stdout piped; refresh_ms one
 * overview refresh inside an open process; breakdown_ms one per-user breakdown of 30 days;
 * idle_cpu_pct and idle_bytes_per_s the dashboard left open on the overview in a terminal (tmux).
 */
export async function benchDashboard(file, rows) {
  const accounting = new Accounting({ store: new SqliteStore({ file }) });
  const end = Date.now();
  const start = end - 30 * 86_400_000;
  for (let offset = 0; offset < rows; offset += 20_000) {
    const batch = [];
    for (let i = offset; i < Math.min(rows, offset + 20_000); i++) {
      batch.push({ model: MODELS[i % 8], promptTokens: 100 + (i % 900), completionTokens: 50, cost: ((i % 100) + 1) / 100_000, timestamp: new Date(start + ((end - start) * i) / rows), username: `user${i % 40}`, project: `p${i % 6}` });
    }
    await accounting.trackUsageBatch(batch);
  }
  const { loadOverview, loadBreakdown } = await import("../../apps/llm-acct/dist/data/load.js");
  const refresh_ms = await medianMs(() => loadOverview(accounting, new Date()), 5);
  const breakdown_ms = await medianMs(() => loadBreakdown(accounting, new Date(), "30d", "username", "cost"), 3);
  await accounting.close();
  const runs = [];
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [app, "--db-file", file], { encoding: "utf8" });
    if (result.status !== 0 || !result.stdout.includes("30 days")) throw new Error(`llm-acct failed: ${result.stderr}`);
    runs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  runs.sort((a, b) => a - b);
  return { rows, first_screen_ms: round(runs[1]), refresh_ms, breakdown_ms, ...(await measureIdle(file)) };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * CPU time (utime + stime of /proc/<pid>/stat, in % of one core) and bytes written to the terminal
 * (tmux pipe-pane) by the dashboard over 10 s on an unchanged store, after its first screen.
 */
async function measureIdle(file, seconds = 10) {
  const tmux = (...args) => execFileSync("tmux", args, { encoding: "utf8" });
  const dir = mkdtempSync(join(tmpdir(), "bench-idle-"));
  const captured = join(dir, "pane.out");
  const session = `bench-idle-${process.pid}`;
  const ticks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  const cpu = (pid) => {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / ticks;
  };
  tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24", `exec env NO_COLOR=1 ${process.execPath} ${app} --db-file ${file}`);
  try {
    const deadline = Date.now() + 120_000;
    while (!/30 days\s+\d/.test(tmux("capture-pane", "-p", "-t", session))) {
      if (Date.now() > deadline) throw new Error("dashboard never showed the overview");
      await sleep(200);
    }
    await sleep(2000);
    const pid = Number(tmux("display-message", "-p", "-t", session, "#{pane_pid}").trim());
    tmux("pipe-pane", "-o", "-t", session, `cat > ${captured}`);
    const cpu0 = cpu(pid);
    const t0 = Date.now();
    await sleep(seconds * 1000);
    const used = cpu(pid) - cpu0;
    const elapsed = (Date.now() - t0) / 1000;
    tmux("pipe-pane", "-t", session);
    await sleep(200);
    return { idle_cpu_pct: round((100 * used) / elapsed), idle_bytes_per_s: round(statSync(captured).size / elapsed) };
  } finally {
    tmux("kill-session", "-t", session);
    rmSync(dir, { recursive: true, force: true });
  }
}
