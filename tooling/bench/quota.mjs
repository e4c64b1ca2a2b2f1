import { Accounting } from "@llm-accounting/core";
import { fileURLToPath } from "node:url";
import { percentile, round } from "./measure.mjs";
import { race } from "./race.mjs";
import { runJsonChild } from "./json-child.mjs";

const MODELS = ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4", "claude-haiku", "gemini-2.5-pro", "llama-3-70b", "o3", "mistral-large"];
const USERS = Array.from({ length: 25 }, (_, i) => `user${i}`);
const CALLERS = Array.from({ length: 5 }, (_, i) => `app${i}`);
const PROJECTS = Array.from({ length: 4 }, (_, i) => `project${i}`);
const SCOPES = ["GLOBAL", "MODEL", "USER", "CALLER", "PROJECT"];
const TYPES = ["requests", "input_tokens", "output_tokens", "total_tokens", "cost"];
const TENANTS = Array.from({ length: 10 }, (_, i) => `tenant${i}`);
const UNITS = ["minute", "hour", "day", "week", "monthly", "minute_rolling", "hour_rolling", "day_rolling", "week_rolling", "monthly_rolling"];

/** A small deterministic generator, so every run benches the same data. */
export function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** 40 limits of mixed scopes, types and units, generous enough that every check walks all of them (also used by large.mjs). */
export function limitsForBench(random) {
  const pick = (list) => list[Math.floor(random() * list.length)];
  return Array.from({ length: 40 }, (_, i) => {
    const scope = SCOPES[i % SCOPES.length];
    const limitType = TYPES[(i * 3) % TYPES.length];
    const wildcard = random() < 0.25;
    return {
      scope,
      limitType,
      maxValue: limitType === "cost" ? 1e6 : 1e12,
      intervalUnit: UNITS[(i * 7) % UNITS.length],
      intervalValue: 1 + (i % 3),
      model: scope === "MODEL" || (scope === "USER" && i % 2) ? (wildcard ? "*" : pick(MODELS)) : null,
      username: scope === "USER" || scope === "CALLER" ? (wildcard ? "*" : pick(USERS)) : null,
      callerName: scope === "CALLER" ? pick(CALLERS) : null,
      projectName: scope === "PROJECT" ? pick(PROJECTS) : null,
    };
  });
}

/** A few TAG limits beside the 40: one tenant, every tenant pooled, a tier on one model, one tenant's cost per rolling day. */
export function tagLimitsForBench() {
  const none = { model: null, username: null, callerName: null, projectName: null };
  return [
    { ...none, scope: "TAG", tag: { key: "tenant", value: "tenant3" }, limitType: "requests", maxValue: 1e12, intervalUnit: "day", intervalValue: 1 },
    { ...none, scope: "TAG", tag: { key: "tenant", value: "*" }, limitType: "cost", maxValue: 1e6, intervalUnit: "monthly", intervalValue: 1 },
    { ...none, scope: "TAG", model: "gpt-4o", tag: { key: "tier", value: "gold" }, limitType: "total_tokens", maxValue: 1e12, intervalUnit: "hour_rolling", intervalValue: 6 },
    { ...none, scope: "TAG", tag: { key: "tenant", value: "tenant1" }, limitType: "cost", maxValue: 1e6, intervalUnit: "day_rolling", intervalValue: 1 },
  ];
}

// BENCH_QUOTA_TAGS=0: the 40 limits and untagged calls alone, the workload the figures before TAG limits were taken on.
const WITH_TAGS = process.env.BENCH_QUOTA_TAGS !== "0";

/** Most rows carry a tenant, some a tier: what the TAG limits count. */
function tagsOf(random) {
  const tags = {};
  if (!WITH_TAGS) return tags;
  if (random() < 0.8) tags.tenant = TENANTS[Math.floor(random() * TENANTS.length)];
  if (random() < 0.3) tags.tier = "gold";
  return tags;
}

/** Seeds `rows` entries over the last 30 days, the 40 limits and the TAG limits into `store`; returns the facade. */
export async function seededAccounting(store, rows) {
  const random = rng(42);
  const accounting = new Accounting({ store });
  const end = Date.now();
  const start = end - 30 * 86_400_000;
  for (let offset = 0; offset < rows; offset += 10_000) {
    const batch = [];
    for (let i = offset; i < Math.min(rows, offset + 10_000); i++) {
      batch.push({
        model: MODELS[Math.floor(random() * MODELS.length)],
        promptTokens: Math.floor(random() * 2000),
        completionTokens: Math.floor(random() * 500),
        cost: Math.floor(random() * 10_000) / 1e6,
        timestamp: new Date(start + ((end - start) * i) / rows),
        username: USERS[Math.floor(random() * USERS.length)],
        callerName: CALLERS[Math.floor(random() * CALLERS.length)],
        project: random() < 0.1 ? null : PROJECTS[Math.floor(random() * PROJECTS.length)],
        tags: tagsOf(random),
      });
    }
    await accounting.trackUsageBatch(batch);
  }
  for (const limit of [...limitsForBench(random), ...(WITH_TAGS ? tagLimitsForBench() : [])]) await accounting.setUsageLimit(limit);
  return accounting;
}

export function randomRequest(random) {
  const pick = (list) => list[Math.floor(random() * list.length)];
  return { model: pick(MODELS), username: pick(USERS), callerName: pick(CALLERS), projectName: random() < 0.1 ? null : pick(PROJECTS), inputTokens: 500, completionTokens: 100, cost: 0.002, tags: tagsOf(random) };
}

const firstCheckScript = fileURLToPath(new URL("./first-check.mjs", import.meta.url));

/**
 * check_quota: latency of checkQuota for random requests against 40 limits over `rows` entries.
 * first_us / open_ms come from a child process opening the seeded store, as a restarted service
 * would: whatever a store builds lazily (an index, a cache) shows up there, not in the warm p50.
 */
export async function benchCheckQuota(backend, location, rows, checks = 5000, iterations = 3000) {
  const seeded = await seededAccounting(backend.open(location), rows);
  await seeded.close();
  const first = await firstCheck(backend.name, location);
  const accounting = new Accounting({ store: backend.open(location) });
  const random = rng(7);
  for (let i = 0; i < 200; i++) await accounting.checkQuota(randomRequest(random)); // warm-up, builds the index
  const latencies = await checkLatencies(accounting, random, checks);
  // guarded: sequential atomic check-and-record on the same store.
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const r = randomRequest(random);
    await accounting.trackUsage({ model: r.model, username: r.username, callerName: r.callerName, project: r.projectName, promptTokens: 500, completionTokens: 100, cost: 0.002, tags: r.tags }, { enforceLimits: true });
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  // Checks again now that the last minutes hold the rows just written, as in a service under load.
  const loaded = await checkLatencies(accounting, random, Math.min(checks, 2000));
  await accounting.close();
  return {
    check_quota: { rows, limits: 40 + (WITH_TAGS ? tagLimitsForBench().length : 0), tag_limits: WITH_TAGS ? tagLimitsForBench().length : 0, open_ms: first.open_ms, first_us: first.first_us, checks, p50_us: round(percentile(latencies, 50)), p99_us: round(percentile(latencies, 99)), after_writes_p50_us: round(percentile(loaded, 50)), after_writes_p99_us: round(percentile(loaded, 99)) },
    guarded: { iterations, iterations_per_s: Math.round(iterations / seconds) },
  };
}

/** The latencies (µs, sorted) of `checks` checkQuota calls for random requests. */
async function checkLatencies(accounting, random, checks) {
  const latencies = [];
  for (let i = 0; i < checks; i++) {
    const request = randomRequest(random);
    const t0 = process.hrtime.bigint();
    await accounting.checkQuota(request);
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e3);
  }
  return latencies.sort((a, b) => a - b);
}

/** Runs first-check.mjs in a fresh `node`; resolves with its {open_ms, first_us}. */
function firstCheck(backendName, location) {
  return runJsonChild(firstCheckScript, [backendName, location]);
}

/** overshoot: 4 processes race 60 guarded calls each against one limit of 100 requests. */
export async function benchOvershoot(backend, location) {
  const accounting = new Accounting({ store: backend.open(location) });
  await accounting.setUsageLimit({ scope: "GLOBAL", limitType: "requests", maxValue: 100, intervalUnit: "day", intervalValue: 1, model: null, username: null, callerName: null, projectName: null });
  const result = await race(backend.name, location, 4, 60);
  const stored = Number((await accounting.select("SELECT COUNT(*) AS n FROM accounting_entries")).rows[0].n);
  await accounting.close();
  return { processes: 4, limit: 100, attempts: 240, admitted: result.admitted, stored, errors: result.errors };
}

/**
 * race: `processes` processes racing guarded calls against one limit of `limit` requests, with
 * more attempts than it holds: exactly `limit` must be admitted; the rate is admitted calls per
 * second of the slowest process (all of them share one budget, so this is the budget's throughput).
 */
export async function benchRace(backend, location, processes = 8, limit = 2000) {
  const accounting = new Accounting({ store: backend.open(location) });
  await accounting.setUsageLimit({ scope: "GLOBAL", limitType: "requests", maxValue: limit, intervalUnit: "day", intervalValue: 1, model: null, username: null, callerName: null, projectName: null });
  const attempts = Math.ceil((limit * 1.2) / processes);
  const result = await race(backend.name, location, processes, attempts, { withTime: true });
  const stored = Number((await accounting.select("SELECT COUNT(*) AS n FROM accounting_entries")).rows[0].n);
  await accounting.close();
  return { processes, limit, attempts: attempts * processes, admitted: result.admitted, stored, errors: result.errors, admitted_per_s: Math.round(result.admitted / (result.elapsedMs / 1000)) };
}
