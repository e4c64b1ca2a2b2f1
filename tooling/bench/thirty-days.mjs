// The call mix the report benches (stats, metrics_scrape, api) write: spread evenly over the last
// 30 days, cycling 8 models, 25 users, 5 callers and 4 projects.
const MODELS = ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4", "claude-haiku", "gemini-2.5-pro", "llama-3-70b", "o3", "mistral-large"];

/** Tracks `rows` calls over the last 30 days through `accounting` in batches of 10,000; `extra(i)` adds fields to call i. */
export async function trackThirtyDays(accounting, rows, extra = () => ({})) {
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
        timestamp: new Date(start.getTime() + i * step),
        username: `user${i % 25}`,
        callerName: `app${i % 5}`,
        project: `project${i % 4}`,
        ...extra(i),
      });
    }
    await accounting.trackUsageBatch(batch);
  }
  return { start, end };
}
