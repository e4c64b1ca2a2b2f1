import { Accounting, UsageBuffer } from "@llm-accounting/core";
import { percentile, round } from "./measure.mjs";

const sample = (i) => ({ model: i % 2 ? "gpt-4o" : "claude-sonnet", promptTokens: 100 + (i % 50), completionTokens: 20, cost: 0.00042, executionTime: 0.8, project: "bench" });

/**
 * 40 limits with alert thresholds (50, 80, 100 %), as a service might configure them: a few count
 * the bench's calls (global, per model, the bench project and user), most are about other users,
 * models and projects. Their maxima are high enough that the run crosses none but the global one's
 * lowest threshold, so the figures are what checking costs, not delivering.
 */
function fortyLimits(alertAt) {
  const base = { limitType: "cost", maxValue: 1_000_000, intervalUnit: "day", intervalValue: 1, model: null, username: null, callerName: null, projectName: null, ...(alertAt && { alertAt }) };
  const limits = [
    { ...base, scope: "GLOBAL", maxValue: 0.5 },
    { ...base, scope: "MODEL", model: "gpt-4o" },
    { ...base, scope: "PROJECT", projectName: "bench", limitType: "requests", intervalUnit: "hour_rolling" },
    { ...base, scope: "USER", username: "bench", intervalUnit: "monthly" },
  ];
  for (let i = 0; limits.length < 40; i++) {
    const kind = i % 3;
    limits.push(
      kind === 0
        ? { ...base, scope: "USER", username: `user-${i}` }
        : kind === 1
          ? { ...base, scope: "MODEL", model: `model-${i}`, limitType: "total_tokens", intervalUnit: "hour" }
          : { ...base, scope: "PROJECT", projectName: `project-${i}`, intervalUnit: "week_rolling" },
    );
  }
  return limits;
}

async function trackRun(store, calls, limits) {
  const accounting = new Accounting({ store, appName: "bench", userName: "bench" });
  await accounting.open();
  for (const limit of limits) await accounting.setUsageLimit(limit);
  for (let i = 0; i < 500; i++) await accounting.trackUsage(sample(i)); // warm-up
  const latencies = new Float64Array(calls);
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) {
    const t0 = process.hrtime.bigint();
    await accounting.trackUsage(sample(i));
    latencies[i] = Number(process.hrtime.bigint() - t0) / 1e3;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const alerts = store.listAlerts ? (await accounting.listAlerts()).length : 0;
  await accounting.close();
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  return { calls_per_s: Math.round(calls / seconds), p50_us: round(percentile(sorted, 50)), p99_us: round(percentile(sorted, 99)), alerts };
}

async function bufferedRun(store, records, limits) {
  const accounting = new Accounting({ store, appName: "bench", userName: "bench" });
  await accounting.open();
  for (const limit of limits) await accounting.setUsageLimit(limit);
  const buffer = new UsageBuffer(accounting, { installExitHooks: false });
  for (let i = 0; i < 5_000; i++) buffer.trackUsage(sample(i)); // warm-up
  await buffer.flush();
  const started = process.hrtime.bigint();
  for (let i = 0; i < records; i++) {
    const waiting = buffer.trackUsage(sample(i));
    if (waiting) await waiting;
  }
  await buffer.flush();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await buffer.close();
  await accounting.close();
  return { events_per_s: Math.round(records / seconds) };
}

/**
 * track and buffered three ways on fresh stores, in one run so they share the machine's load:
 * no limits; the 40 limits without thresholds (their quota buckets cost the same either way);
 * the 40 limits with thresholds. The last two should match: alerts must not slow tracking.
 */
export async function benchTrackWithAlerts(openStore, calls, records) {
  const track = {
    no_limits: await trackRun(openStore(), calls, []),
    limits_without_alerts: await trackRun(openStore(), calls, fortyLimits(null)),
    limits_with_alerts: await trackRun(openStore(), calls, fortyLimits([0.5, 0.8, 1])),
  };
  const buffered = {
    no_limits: await bufferedRun(openStore(), records, []),
    limits_without_alerts: await bufferedRun(openStore(), records, fortyLimits(null)),
    limits_with_alerts: await bufferedRun(openStore(), records, fortyLimits([0.5, 0.8, 1])),
  };
  return { calls, records, track, buffered };
}
