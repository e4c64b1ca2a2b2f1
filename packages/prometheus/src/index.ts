export { healthResponse, metricsRequestListener, scrapeResponse, type MetricsResponse } from "./metrics-handler.js";
export { metricsRegistry, metricsText, usedRatio } from "./metric-families.js";
export { resolveMetricsOptions, type MetricsOptions } from "./metrics-options.js";
export { checkPort, startMetricsServer, type MetricsServer, type MetricsServerOptions } from "./metrics-server.js";
export { breakdownsFor, readUsageSnapshot, SCRAPE_RANGE, type BrokenDownBy, type UsageBreakdown, type UsageSnapshot } from "./usage-snapshot.js";
