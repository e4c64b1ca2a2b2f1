#!/usr/bin/env node
// `pnpm bench`: prints one JSON object of figures. Names match the issues (track, stats, ...) so
// runs can be compared with each other and with the Python original. Sizes: BENCH_TRACK, BENCH_ROWS,
// BENCH_BUFFERED, BENCH_REPRICE, BENCH_SDK_CALLS, BENCH_CHECKS, BENCH_GUARDED, BENCH_RACE_PROCESSES, BENCH_CLI_RUNS, BENCH_AGENT_MB.
// BENCH_ONLY=buffered,track runs only the named steps; check_quota_under_load runs only when named
// (BENCH_LOAD_SECONDS, default 150: it waits for windows' edges to reach the minutes being written)
// (the "check_quota" step also yields "guarded"). BENCH_BACKEND=postgresql runs the store steps on
// fresh databases of BENCH_POSTGRES_URL's server (default the local one), dropped afterwards.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBackend } from "./backend.mjs";
import { benchTrack } from "./track.mjs";
import { benchStats } from "./stats.mjs";
import { benchTagBreakdown } from "./tag-breakdown.mjs";
import { benchCheckQuota, benchOvershoot, benchRace } from "./quota.mjs";
import { benchCheckUnderLoad } from "./under-load.mjs";
import { benchDashboard } from "./dashboard.mjs";
import { benchBuffered } from "./buffered.mjs";
import { benchReprice } from "./reprice.mjs";
import { benchSdkGuardRace } from "./sdk-race.mjs";
import { benchCli } from "./cli.mjs";
import { benchAgentImport } from "./agent-import.mjs";
import { benchTrackWithAlerts } from "./track-alerts.mjs";
import { benchMetricsScrape } from "./metrics-scrape.mjs";
import { benchApiSummary } from "./api-summary.mjs";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-bench-"));
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(",").map((name) => name.trim())) : null;
const wanted = (name) => only === null || only.has(name);
const backend = await createBackend(dir);
// A fresh store per step: a SQLite file in `dir`, or a new PostgreSQL database.
const fresh = async (label) => {
  const location = await backend.location(label);
  return () => backend.open(location);
};
const figures = { backend: backend.name };
try {
  if (wanted("track")) figures.track = await benchTrack(await fresh("track"), Number(process.env.BENCH_TRACK ?? 20_000));
  const rows = Number(process.env.BENCH_ROWS ?? 100_000);
  if (wanted("stats")) figures.stats = await benchStats(await fresh("stats"), rows);
  if (wanted("tag_breakdown")) figures.tag_breakdown = await benchTagBreakdown(await fresh("tag-breakdown"), rows);
  if (wanted("metrics_scrape")) figures.metrics_scrape = await benchMetricsScrape(await fresh("metrics-scrape"), rows);
  if (wanted("api")) figures.api = await benchApiSummary(await fresh("api"), rows);
  if (wanted("check_quota")) Object.assign(figures, await benchCheckQuota(backend, await backend.location("quota"), rows, Number(process.env.BENCH_CHECKS ?? 5000), Number(process.env.BENCH_GUARDED ?? 3000)));
  if (only?.has("check_quota_under_load")) figures.check_quota_under_load = await benchCheckUnderLoad(backend, await backend.location("under-load"), rows, Number(process.env.BENCH_LOAD_SECONDS ?? 150));
  if (wanted("overshoot")) figures.overshoot = await benchOvershoot(backend, await backend.location("race"));
  if (wanted("race")) figures.race = await benchRace(backend, await backend.location("race8"), Number(process.env.BENCH_RACE_PROCESSES ?? 8));
  if (wanted("sdk_guard_race")) figures.sdk_guard_race = await benchSdkGuardRace((await fresh("sdk-race"))(), Number(process.env.BENCH_SDK_CALLS ?? 20));
  if (wanted("dashboard")) {
    // The dashboard bench drives the llm-acct app on a SQLite file; it has no PostgreSQL mode here.
    if (backend.name === "sqlite") figures.dashboard = await benchDashboard(join(dir, "dashboard.sqlite"), Number(process.env.BENCH_DASHBOARD_ROWS ?? 1_000_000));
    else figures.dashboard = { skipped: "SQLite only: the bench seeds a SQLite file for the llm-acct app; run with BENCH_BACKEND=sqlite" };
  }
  if (wanted("reprice")) figures.reprice = await benchReprice(await fresh("reprice"), Number(process.env.BENCH_REPRICE ?? 200_000));
  // One-shot CLI processes on a SQLite file, whatever BENCH_BACKEND says: start-up is the point.
  if (wanted("cli")) figures.cli = await benchCli(dir, Number(process.env.BENCH_CLI_RUNS ?? 15));
  if (wanted("buffered")) figures.buffered = await benchBuffered(await fresh("buffered"), await fresh("buffered-ceiling"), Number(process.env.BENCH_BUFFERED ?? 500_000));
  if (wanted("track_with_alerts")) {
    // Each of its six runs gets an empty store of its own.
    const stores = [];
    for (let i = 0; i < 6; i++) stores.push(await fresh(`alerts-${i}`));
    figures.track_with_alerts = await benchTrackWithAlerts(() => stores.shift()(), Number(process.env.BENCH_TRACK ?? 20_000), Number(process.env.BENCH_BUFFERED ?? 500_000));
  }
  if (wanted("agent_import")) figures.agent_import = await benchAgentImport(await fresh("agent-import"), join(dir, "agents"), Number(process.env.BENCH_AGENT_MB ?? 256));
} finally {
  await backend.dispose();
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify(figures, null, 2));
