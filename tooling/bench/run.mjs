#!/usr/bin/env node
// `pnpm bench`: prints one JSON object of figures. Names match the issues (track, stats, ...) so
// runs can be compared with each other and with the Python original. Sizes: BENCH_TRACK, BENCH_ROWS,
// BENCH_BUFFERED, BENCH_REPRICE. BENCH_ONLY=buffered,track runs only the named steps (the "check_quota" step
// also yields "guarded").
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchTrack } from "./track.mjs";
import { benchStats } from "./stats.mjs";
import { benchCheckQuota, benchOvershoot } from "./quota.mjs";
import { benchDashboard } from "./dashboard.mjs";
import { benchBuffered } from "./buffered.mjs";
import { benchReprice } from "./reprice.mjs";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-bench-"));
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(",").map((name) => name.trim())) : null;
const wanted = (name) => only === null || only.has(name);
const figures = {};
try {
  if (wanted("track")) figures.track = await benchTrack(join(dir, "track.sqlite"), Number(process.env.BENCH_TRACK ?? 20_000));
  const rows = Number(process.env.BENCH_ROWS ?? 100_000);
  if (wanted("stats")) figures.stats = await benchStats(join(dir, "stats.sqlite"), rows);
  if (wanted("check_quota")) Object.assign(figures, await benchCheckQuota(join(dir, "quota.sqlite"), rows));
  if (wanted("overshoot")) figures.overshoot = await benchOvershoot(join(dir, "race.sqlite"));
  if (wanted("dashboard")) figures.dashboard = await benchDashboard(join(dir, "dashboard.sqlite"), Number(process.env.BENCH_DASHBOARD_ROWS ?? 1_000_000));
  if (wanted("reprice")) figures.reprice = await benchReprice(join(dir, "reprice.sqlite"), Number(process.env.BENCH_REPRICE ?? 200_000));
  if (wanted("buffered")) figures.buffered = await benchBuffered(join(dir, "buffered.sqlite"), Number(process.env.BENCH_BUFFERED ?? 500_000));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify(figures, null, 2));
