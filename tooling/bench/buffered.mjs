import { Accounting, normalizeUsage, UsageBuffer } from "@llm-accounting/core";
import { percentile, round } from "./measure.mjs";
import { sampleTags } from "./sample-tags.mjs";

const sample = (i) => ({ model: i % 2 ? "gpt-4o" : "claude-sonnet", promptTokens: 100 + (i % 50), completionTokens: 20, cost: 0.00042, executionTime: 0.8, project: "bench", ...sampleTags(i) });

/**
 * `records` calls through a UsageBuffer (default options: batches of 1000, at most 10,000 held,
 * onFull "block"; BENCH_BUFFER_BATCH and BENCH_BUFFER_MAX_QUEUED override them) on a fresh
 * store (`openStore()`; the buffer is core code, so it runs on every backend). events_per_s counts calls until all are stored (final flush included); enqueue_*_us time each trackUsage call alone (a blocked call's wait excluded).
 * The ceilings write the same calls in batches of 1000 without the buffer: through the facade's
 * trackUsageBatch, and straight into the store's insertUsageBatch (already normalized).
 */
export async function benchBuffered(openStore, openCeilingStore, records) {
  const figures = await bufferedRun(openStore, records);
  const ceilings = await batchCeilings(openCeilingStore, Math.min(records, 200_000));
  return { ...figures, ...ceilings };
}

async function bufferedRun(openStore, records) {
  const accounting = new Accounting({ store: openStore(), appName: "bench", userName: "bench" });
  await accounting.open();
  const sizes = {
    ...(process.env.BENCH_BUFFER_MAX_QUEUED ? { maxQueued: Number(process.env.BENCH_BUFFER_MAX_QUEUED) } : {}),
    ...(process.env.BENCH_BUFFER_BATCH ? { batchSize: Number(process.env.BENCH_BUFFER_BATCH) } : {}),
  };
  const buffer = new UsageBuffer(accounting, { installExitHooks: false, ...sizes });
  for (let i = 0; i < 5_000; i++) buffer.trackUsage(sample(i)); // warm-up
  await buffer.flush();
  const latencies = new Float64Array(records);
  let blocked = 0;
  const cpuStart = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let i = 0; i < records; i++) {
    const input = sample(i);
    const t0 = process.hrtime.bigint();
    const waiting = buffer.trackUsage(input);
    latencies[i] = Number(process.hrtime.bigint() - t0) / 1e3;
    if (waiting) {
      blocked++;
      await waiting;
    }
  }
  await buffer.flush();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  const stats = buffer.stats();
  await buffer.close();
  const stored = Number((await accounting.select("SELECT COUNT(*) AS n FROM accounting_entries")).rows[0].n);
  await accounting.close();
  if (stored !== records + 5_000 || stats.written !== stored) throw new Error(`buffered bench stored ${stored} of ${records + 5_000} records`);
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  return {
    records,
    events_per_s: Math.round(records / seconds),
    // The same per second of this process's CPU time: comparable across runs on a busy machine.
    events_per_cpu_s: Math.round(records / ((cpu.user + cpu.system) / 1e6)),
    enqueue_p50_us: round(percentile(sorted, 50)),
    enqueue_p99_us: round(percentile(sorted, 99)),
    blocked_calls: blocked,
    batches: stats.batches,
  };
}

async function batchCeilings(openStore, records) {
  const store = openStore();
  const accounting = new Accounting({ store, appName: "bench", userName: "bench" });
  await accounting.open();
  const inputs = Array.from({ length: records }, (_, i) => ({ ...sample(i), timestamp: new Date() }));
  let started = process.hrtime.bigint();
  for (let offset = 0; offset < records; offset += 1000) await accounting.trackUsageBatch(inputs.slice(offset, offset + 1000));
  const facadeSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const normalized = inputs.map((input) => normalizeUsage(input, accounting.defaults, new Date()));
  started = process.hrtime.bigint();
  for (let offset = 0; offset < records; offset += 1000) await store.insertUsageBatch(normalized.slice(offset, offset + 1000));
  const storeSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  await accounting.close();
  return { ceiling_facade_batch_per_s: Math.round(records / facadeSeconds), ceiling_store_batch_per_s: Math.round(records / storeSeconds) };
}
