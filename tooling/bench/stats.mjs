import { Accounting } from "@llm-accounting/core";
import { medianMs } from "./measure.mjs";
import { trackThirtyDays } from "./thirty-days.mjs";

/** `rows` entries spread evenly over 30 days; times the three report queries over the 30 days. */
export async function benchStats(openStore, rows) {
  const accounting = new Accounting({ store: openStore() });
  const { start, end } = await trackThirtyDays(accounting, rows, (i) => ({ executionTime: (i % 30) / 10 }));
  const figures = {
    rows,
    period_ms: await medianMs(() => accounting.getPeriodStats(start, end)),
    model_ms: await medianMs(() => accounting.getModelStats(start, end)),
    rankings_ms: await medianMs(() => accounting.getModelRankings(start, end)),
  };
  await accounting.close();
  return figures;
}
