import { Accounting } from "@llm-accounting/core";
import { medianMs, round } from "./measure.mjs";

/**
 * `rows` entries over 30 days, two in three tagged (team of 8 values, env of 2), the rest
 * untagged; times a breakdown by `team` over the 30 days, whole and narrowed to env=prod, and the
 * period totals and per-model stats of one tag (what `stats --tag env=prod` reads).
 */
export async function benchTagBreakdown(openStore, rows) {
  const accounting = new Accounting({ store: openStore() });
  const end = new Date();
  const start = new Date(end.getTime() - 30 * 86_400_000);
  const step = (end.getTime() - start.getTime()) / rows;
  const t0 = process.hrtime.bigint();
  for (let offset = 0; offset < rows; offset += 10_000) {
    const batch = [];
    for (let i = offset; i < Math.min(rows, offset + 10_000); i++) {
      batch.push({
        model: "gpt-4o",
        promptTokens: 50 + (i % 500),
        completionTokens: 10 + (i % 200),
        cost: ((i % 1000) + 1) / 100_000,
        timestamp: new Date(start.getTime() + i * step),
        ...(i % 3 === 0 ? {} : { tags: { team: `team${i % 8}`, env: i % 2 ? "prod" : "dev" } }),
      });
    }
    await accounting.trackUsageBatch(batch);
  }
  const seedMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const figures = {
    rows,
    seed_ms: round(seedMs),
    tag_breakdown_ms: await medianMs(() => accounting.getUsageByTag(start, end, "team")),
    tag_breakdown_filtered_ms: await medianMs(() => accounting.getUsageByTag(start, end, "team", { tags: { env: "prod" } })),
    tag_stats_ms: await medianMs(() => Promise.all([accounting.getPeriodStats(start, end, { tags: { env: "prod" } }), accounting.getModelStats(start, end, { tags: { env: "prod" } })])),
  };
  await accounting.close();
  return figures;
}
