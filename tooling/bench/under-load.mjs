import { fileURLToPath } from "node:url";
import { Accounting } from "@llm-accounting/core";
import { runJsonChild } from "./json-child.mjs";
import { percentile, round } from "./measure.mjs";
import { randomRequest, rng, seededAccounting } from "./quota.mjs";

const writerScript = fileURLToPath(new URL("./load-writer.mjs", import.meta.url));
const SLICE_MS = 30_000;

/**
 * check_quota_under_load: a service's checks while another process makes guarded writes without
 * pause, as in production, rather than on a store at rest. The bench limits over `rows` calls; a
 * check every 20 ms for `seconds`; p50/p99 per 30 s slice, so a cost that grows as the windows'
 * edges reach the minutes being written shows as a trend.
 */
export async function benchCheckUnderLoad(backend, location, rows, seconds) {
  const seeded = await seededAccounting(backend.open(location), rows);
  await seeded.close();
  const accounting = new Accounting({ store: backend.open(location) });
  await accounting.open();
  const random = rng(13);
  for (let i = 0; i < 200; i++) await accounting.checkQuota(randomRequest(random));
  const writer = runJsonChild(writerScript, [backend.name, location, String(seconds)]);
  const slices = [];
  const began = Date.now();
  let latencies = [];
  while (Date.now() - began < seconds * 1000) {
    const t0 = process.hrtime.bigint();
    await accounting.checkQuota(randomRequest(random));
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e3);
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (Date.now() - began >= (slices.length + 1) * SLICE_MS) {
      latencies.sort((a, b) => a - b);
      slices.push({ until_s: (slices.length + 1) * (SLICE_MS / 1000), checks: latencies.length, p50_us: round(percentile(latencies, 50)), p99_us: round(percentile(latencies, 99)) });
      latencies = [];
    }
  }
  const written = await writer;
  await accounting.close();
  return { rows, seconds, writes_per_s: Math.round(written.writes / seconds), write_errors: written.errors, slices };
}
