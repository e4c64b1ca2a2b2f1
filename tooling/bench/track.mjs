import { Accounting } from "@llm-accounting/core";
import { percentile, round } from "./measure.mjs";
import { sampleTags } from "./sample-tags.mjs";

/** Sequential, durable trackUsage calls on a fresh store (`openStore()`): each resolves after its commit. */
export async function benchTrack(openStore, calls) {
  const accounting = new Accounting({ store: openStore(), appName: "bench", userName: "bench" });
  await accounting.open();
  const sample = (i) => ({ model: i % 2 ? "gpt-4o" : "claude-sonnet", promptTokens: 100 + (i % 50), completionTokens: 20, cost: 0.00042, executionTime: 0.8, project: "bench", ...sampleTags(i) });
  for (let i = 0; i < 500; i++) await accounting.trackUsage(sample(i)); // warm-up
  const latencies = new Float64Array(calls);
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) {
    const t0 = process.hrtime.bigint();
    await accounting.trackUsage(sample(i));
    latencies[i] = Number(process.hrtime.bigint() - t0) / 1e3;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await accounting.close();
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  return { calls, calls_per_s: Math.round(calls / seconds), p50_us: round(percentile(sorted, 50)), p99_us: round(percentile(sorted, 99)) };
}
