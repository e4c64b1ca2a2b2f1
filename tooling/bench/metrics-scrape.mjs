import { Accounting } from "@llm-accounting/core";
import { scrapeResponse, startMetricsServer } from "@llm-accounting/prometheus";
import { medianMs } from "./measure.mjs";
import { trackThirtyDays } from "./thirty-days.mjs";

const LIMITS = [
  { scope: "GLOBAL", limitType: "cost", maxValue: 5000, intervalUnit: "monthly", intervalValue: 1 },
  { scope: "USER", username: "user1", limitType: "cost", maxValue: 50, intervalUnit: "day", intervalValue: 1 },
  { scope: "MODEL", model: "gpt-4o", limitType: "total_tokens", maxValue: 10_000_000, intervalUnit: "hour_rolling", intervalValue: 6 },
  { scope: "PROJECT", projectName: "project2", limitType: "requests", maxValue: 100_000, intervalUnit: "week", intervalValue: 1 },
  { scope: "CALLER", callerName: "app3", limitType: "cost", maxValue: 100, intervalUnit: "day_rolling", intervalValue: 7 },
];

/** Writes `rows` entries over the last 30 days (same mix as `stats`) and five limits, then closes the store. */
export async function seedDashboardStore(openStore, rows) {
  const writer = new Accounting({ store: openStore() });
  await trackThirtyDays(writer, rows, (i) => ({ cachedTokens: i % 40 }));
  for (const limit of LIMITS) await writer.setUsageLimit({ model: null, username: null, callerName: null, projectName: null, ...limit });
  await writer.close();
}

/**
 * Seeds a store (`seedDashboardStore`), then times a scrape from a newly opened store (as
 * `serve` in its own process would): the store reads and the text (default families; with
 * per-user and per-caller ones), and a real HTTP GET /metrics from a server on 127.0.0.1.
 */
export async function benchMetricsScrape(openStore, rows) {
  await seedDashboardStore(openStore, rows);
  // Scraped from a store of its own, as `llm-accounting serve` beside the writing apps would.
  const accounting = new Accounting({ store: openStore() });
  const scrape = (options) => async () => {
    const response = await scrapeResponse(accounting, options);
    if (response.status !== 200) throw new Error(response.body);
    return response;
  };
  const all = await scrape({ perUser: true, perCaller: true })();
  const server = await startMetricsServer(accounting, { port: 0 });
  const figures = {
    rows,
    limits: LIMITS.length,
    series_all: all.body.split("\n").filter((line) => line !== "" && !line.startsWith("#")).length,
    scrape_ms: await medianMs(scrape({})),
    scrape_all_ms: await medianMs(scrape({ perUser: true, perCaller: true })),
    http_ms: await medianMs(async () => {
      const response = await fetch(`${server.url}/metrics`);
      if (response.status !== 200) throw new Error(await response.text());
      await response.text();
    }),
  };
  await server.close();
  await accounting.close();
  return figures;
}
