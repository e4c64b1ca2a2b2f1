import { Accounting } from "@llm-accounting/core";
import { medianMs } from "./measure.mjs";

const MODELS = ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4", "claude-haiku", "gemini-2.5-pro", "llama-3-70b", "o3", "mistral-large"];

/** `rows` entries spread evenly over 30 days; times the three report queries over the 30 days. */
export async function benchStats(openStore, rows) {
  const accounting = new Accounting({ store: openStore() });
  const end = new Date();
  const start = new Date(end.getTime() - 30 * 86_400_000);
  const step = (end.getTime() - start.getTime()) / rows;
  for (let offset = 0; offset < rows; offset += 10_000) {
    const batch = [];
    for (let i = offset; i < Math.min(rows, offset + 10_000); i++) {
      batch.push({
        model: MODELS[i % MODELS.length],
        promptTokens: 50 + (i % 500),
        completionTokens: 10 + (i % 200),
        cost: ((i % 1000) + 1) / 100_000,
        executionTime: (i % 30) / 10,
        timestamp: new Date(start.getTime() + i * step),
        username: `user${i % 25}`,
        callerName: `app${i % 5}`,
        project: `project${i % 4}`,
      });
    }
    await accounting.trackUsageBatch(batch);
  }
  const figures = {
    rows,
    period_ms: await medianMs(() => accounting.getPeriodStats(start, end)),
    model_ms: await medianMs(() => accounting.getModelStats(start, end)),
    rankings_ms: await medianMs(() => accounting.getModelRankings(start, end)),
  };
  await accounting.close();
  return figures;
}
