#!/usr/bin/env node
// Makes docs/images/web-dashboard.png: a month of made-up but plausible calls in a fresh SQLite
// file, the real server, and Debian's Chromium (run `pnpm build` first; it imports built files).
// Usage: node scripts/screenshot.mjs [out.png] [viewport width, default 1280; 390 for a phone]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Accounting } from "@llm-accounting/core";
import { startMetricsServer } from "@llm-accounting/prometheus";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { chromium } from "playwright-core";
import { dashboardStaticFiles } from "../dist/index.js";

const out = process.argv[2] ?? fileURLToPath(new URL("../../../docs/images/web-dashboard.png", import.meta.url));
const width = Number(process.argv[3] ?? 1280);
const DAY = 86_400_000;
// USD per million prompt / completion tokens: plausible list prices, fixed so the picture is stable.
const MODELS = [["gpt-4o", 2.5, 10, 5], ["gpt-4o-mini", 0.15, 0.6, 9], ["claude-sonnet-4", 3, 15, 4], ["claude-haiku-3.5", 0.8, 4, 3], ["o3", 2, 8, 1], ["gemini-2.5-pro", 1.25, 10, 2]];
const USERS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace"];
const PROJECTS = ["support", "research", "search", "internal"];
const CALLERS = ["chat", "batch-summarizer", "rag-search", "triage-agent"];
const TIERS = ["standard", "batch", "flex", "priority"];
const FEATURES = ["answer", "summarize", "classify", "extract"];

// A small seeded generator: the same picture every run.
let seed = 20261206;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
const pick = (list, weights = list.map(() => 1)) => {
  let r = random() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < list.length; i++) if ((r -= weights[i]) < 0) return list[i];
  return list.at(-1);
};

function calls(now) {
  const rows = [];
  for (let day = 29; day >= 0; day--) {
    const weekend = new Date(now - day * DAY).getUTCDay() % 6 === 0;
    const count = Math.round((weekend ? 25 : 70) * (0.7 + 0.6 * random()) * (1 + (29 - day) / 40));
    for (let i = 0; i < count; i++) {
      const [model, inPrice, outPrice] = pick(MODELS, MODELS.map((m) => m[3]));
      const promptTokens = Math.round(800 + random() * 24_000);
      const completionTokens = Math.round(100 + random() * 2500);
      // A third of the calls reuse a cached prompt prefix, billed at a tenth.
      const cachedTokens = random() < 0.35 ? Math.round(promptTokens * (0.3 + random() * 0.6)) : 0;
      const serviceTier = pick(TIERS, [12, 4, 2, 1]);
      // Batch and flex calls cost half.
      const share = serviceTier === "batch" || serviceTier === "flex" ? 0.5 : 1;
      const cost = Math.round(((share * ((promptTokens - cachedTokens * 0.9) * inPrice + completionTokens * outPrice)) / 1e6) * 1e6) / 1e6;
      const timestamp = new Date(Math.min(now - 60_000, now - day * DAY - random() * DAY));
      rows.push({ model, promptTokens, cachedTokens, completionTokens, cost, timestamp, username: pick(USERS, [5, 4, 3, 3, 2, 1, 1]), project: pick(PROJECTS, [4, 3, 2, 1]), callerName: pick(CALLERS), serviceTier, tags: { feature: pick(FEATURES, [4, 3, 2, 1]) }, executionTime: 0.4 + random() * 4 });
    }
  }
  return rows;
}

const dir = mkdtempSync(join(tmpdir(), "llm-acct-shot-"));
const file = join(dir, "accounting.sqlite");
const writer = new Accounting({ store: new SqliteStore({ file }) });
await writer.trackUsageBatch(calls(Date.now()));
const limit = { model: null, callerName: null, projectName: null, username: null, intervalValue: 1 };
await writer.setUsageLimit({ ...limit, scope: "GLOBAL", limitType: "cost", maxValue: 600, intervalUnit: "monthly" });
await writer.setUsageLimit({ ...limit, scope: "USER", username: "alice", limitType: "cost", maxValue: 25, intervalUnit: "day" });
await writer.setUsageLimit({ ...limit, scope: "PROJECT", projectName: "research", limitType: "total_tokens", maxValue: 8_000_000, intervalUnit: "week" });
await writer.setUsageLimit({ ...limit, scope: "MODEL", model: "o3", limitType: "requests", maxValue: 100, intervalUnit: "day" });
await writer.close();

const accounting = new Accounting({ store: new SqliteStore({ file, readOnly: true }) });
const server = await startMetricsServer(accounting, { port: 0, staticFiles: dashboardStaticFiles() });
const profile = mkdtempSync(join(tmpdir(), "llm-acct-chromium-"));
const args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const context = await chromium.launchPersistentContext(profile, { executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", headless: true, args, timezoneId: "UTC", locale: "en-GB", viewport: { width, height: 900 }, deviceScaleFactor: 1 });
try {
  const page = await context.newPage();
  await page.goto(`${server.url}/`);
  await page.waitForFunction(() => globalThis.llmDashboard?.loads > 0);
  await page.screenshot({ path: out, fullPage: true });
  console.log(`wrote ${out}`);
} finally {
  await context.close();
  await server.close();
  await accounting.close();
  rmSync(profile, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
}
