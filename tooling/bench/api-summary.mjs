import { Accounting } from "@llm-accounting/core";
import { startMetricsServer } from "@llm-accounting/prometheus";
import { medianMs } from "./measure.mjs";
import { seedDashboardStore } from "./metrics-scrape.mjs";

/**
 * The JSON API over real HTTP on 127.0.0.1, on a store seeded with `rows` calls over 30 days and
 * opened afresh (as `serve` would be): `api_summary_ms` is GET /api/v1/summary (the default range,
 * the last 30 days); the others are what a dashboard asks next.
 */
export async function benchApiSummary(openStore, rows) {
  await seedDashboardStore(openStore, rows);
  const accounting = new Accounting({ store: openStore() });
  const server = await startMetricsServer(accounting, { port: 0 });
  const get = (path) => async () => {
    const response = await fetch(`${server.url}${path}`);
    const body = await response.text();
    if (response.status !== 200) throw new Error(body);
    return JSON.parse(body);
  };
  const summary = await get("/api/v1/summary")();
  if (summary.totals.requests === 0) throw new Error("the summary found no calls: the seeding and the range disagree");
  const figures = {
    rows,
    summarised: summary.totals.requests,
    api_summary_ms: await medianMs(get("/api/v1/summary")),
    api_summary_user_ms: await medianMs(get("/api/v1/summary?user=user3")),
    api_daily_ms: await medianMs(get("/api/v1/cost/daily")),
    api_breakdown_model_ms: await medianMs(get("/api/v1/breakdown/model")),
    api_limits_ms: await medianMs(get("/api/v1/limits")),
  };
  await server.close();
  await accounting.close();
  return figures;
}
