import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Accounting } from "@llm-accounting/core";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { medianMs, round } from "./measure.mjs";

const MODELS = ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4", "claude-haiku", "gemini-2.5-pro", "llama-3-70b", "o3", "mistral-large"];
const app = fileURLToPath(new URL("../../apps/llm-acct/bin/llm-acct.js", import.meta.url));

/**
 * dashboard: `rows` entries over 30 days; first_screen_ms is a whole `llm-acct` process (Node
 * start-up, open, every overview query, the rendered screen) with stdout piped; refresh_ms one
 * overview refresh inside an open process; breakdown_ms one per-user breakdown of 30 days.
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
  return { rows, first_screen_ms: round(runs[1]), refresh_ms, breakdown_ms };
}
