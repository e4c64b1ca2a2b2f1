import type { IncomingMessage, ServerResponse } from "node:http";
import type { Accounting } from "@llm-accounting/core";
import { metricsText } from "./metric-families.js";
import { resolveMetricsOptions, type MetricsOptions } from "./metrics-options.js";
import { readUsageSnapshot } from "./usage-snapshot.js";

/** One HTTP answer, independent of any server framework. */
export interface MetricsResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

const TEXT = "text/plain; charset=utf-8";
const oneLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split("\n")[0]!;

/** `GET /metrics`: the scrape, or 503 with one line when the store cannot be read. */
export async function scrapeResponse(accounting: Accounting, options: MetricsOptions = {}): Promise<MetricsResponse> {
  try {
    const { contentType, body } = await metricsText(await readUsageSnapshot(accounting, options));
    return { status: 200, contentType, body };
  } catch (error) {
    return { status: 503, contentType: TEXT, body: `store unavailable: ${oneLine(error)}\n` };
  }
}

/** `GET /healthz`: 200 when the store answers a one-row read, else 503 with one line. */
export async function healthResponse(accounting: Accounting): Promise<MetricsResponse> {
  try {
    await accounting.open();
    await accounting.store.limitsVersion();
    return { status: 200, contentType: TEXT, body: "ok\n" };
  } catch (error) {
    return { status: 503, contentType: TEXT, body: `store unavailable: ${oneLine(error)}\n` };
  }
}

/**
 * A Node `http` request listener serving `GET /metrics` and `GET /healthz` (HEAD too); 404 for
 * other paths, 405 for other methods. Mount it in your own server, or use `startMetricsServer`.
 */
export function metricsRequestListener(accounting: Accounting, options: MetricsOptions = {}): (request: IncomingMessage, response: ServerResponse) => void {
  const resolved = resolveMetricsOptions(options);
  return (request, response) => {
    void answer(accounting, resolved, request)
      .catch((error: unknown): MetricsResponse => ({ status: 400, contentType: TEXT, body: `bad request: ${oneLine(error)}\n` }))
      .then(({ status, contentType, body }) => {
        response.writeHead(status, { "content-type": contentType, "cache-control": "no-store", ...(status === 405 && { allow: "GET, HEAD" }) });
        response.end(request.method === "HEAD" ? undefined : body);
      });
  };
}

async function answer(accounting: Accounting, options: MetricsOptions, request: IncomingMessage): Promise<MetricsResponse> {
  const path = new URL(request.url ?? "/", "http://localhost").pathname;
  if (path !== "/metrics" && path !== "/healthz") return { status: 404, contentType: TEXT, body: "not found: try /metrics or /healthz\n" };
  if (request.method !== "GET" && request.method !== "HEAD") return { status: 405, contentType: TEXT, body: "method not allowed: use GET\n" };
  return path === "/metrics" ? scrapeResponse(accounting, options) : healthResponse(accounting);
}
