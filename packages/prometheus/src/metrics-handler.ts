import type { IncomingMessage, ServerResponse } from "node:http";
import type { Accounting } from "@llm-accounting/core";
import { apiResponse, jsonResponse } from "./api/api-handler.js";
import { API_PREFIX } from "./api/api-routes.js";
import { bearerMatches, checkApiToken } from "./api/api-auth.js";
import { metricsText } from "./metric-families.js";
import { resolveMetricsOptions, type MetricsOptions } from "./metrics-options.js";
import { readUsageSnapshot } from "./usage-snapshot.js";
import type { MetricsResponse } from "./metrics-response.js";

/** What the listener serves beyond the metrics options. */
export interface ListenerOptions extends MetricsOptions {
  /**
   * When set, `/metrics` and `/api/v1/*` require `Authorization: Bearer <token>` (401 otherwise);
   * `/healthz` stays open for load balancers. `serve` requires one on a non-loopback address.
   */
  readonly token?: string;
  /**
   * Static files served without the token on paths the server does not answer itself (e.g. the
   * web dashboard's page and scripts, which hold no data: their data comes from `/api/v1`).
   */
  readonly staticFiles?: StaticFiles;
}

/** Looks up a static file by URL path; undefined when there is none (404 then). */
export type StaticFiles = (path: string) => MetricsResponse | undefined;

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
 * A Node `http` request listener serving `GET /metrics`, `GET /healthz` and the JSON API under
 * `/api/v1` (HEAD too); 404 for other paths, 405 for other methods, 401 without the token when
 * one is set. Mount it in your own server, or use `startMetricsServer`.
 */
export function metricsRequestListener(accounting: Accounting, options: ListenerOptions = {}): (request: IncomingMessage, response: ServerResponse) => void {
  const resolved = { ...resolveMetricsOptions(options), token: options.token === undefined ? undefined : checkApiToken(options.token), staticFiles: options.staticFiles };
  return (request, response) => {
    void answer(accounting, resolved, request)
      .catch((error: unknown): MetricsResponse => ({ status: 400, contentType: TEXT, body: `bad request: ${oneLine(error)}\n` }))
      .then(({ status, contentType, body, headers }) => {
        response.writeHead(status, { "content-type": contentType, "cache-control": "no-store", ...(status === 405 && { allow: "GET, HEAD" }), ...headers });
        response.end(request.method === "HEAD" ? undefined : body);
      });
  };
}

async function answer(accounting: Accounting, options: MetricsOptions & { token: string | undefined; staticFiles: StaticFiles | undefined }, request: IncomingMessage): Promise<MetricsResponse> {
  const url = new URL(request.url ?? "/", "http://localhost");
  const path = url.pathname;
  const api = path === API_PREFIX || path.startsWith(`${API_PREFIX}/`);
  const file = api || path === "/metrics" || path === "/healthz" ? undefined : options.staticFiles?.(path);
  if (!api && !file && path !== "/metrics" && path !== "/healthz") return { status: 404, contentType: TEXT, body: `not found: try /metrics, /healthz or ${API_PREFIX}/summary\n` };
  if (request.method !== "GET" && request.method !== "HEAD") return { status: 405, contentType: TEXT, body: "method not allowed: use GET\n" };
  if (file) return file;
  if (path !== "/healthz" && options.token !== undefined && !bearerMatches(request.headers.authorization, options.token)) {
    const headers = { "www-authenticate": 'Bearer realm="llm-accounting"' };
    const reason = "missing or wrong bearer token (Authorization: Bearer <token>)";
    return api ? { ...jsonResponse(401, { error: "unauthorized", reason }), headers } : { status: 401, contentType: TEXT, body: `unauthorized: ${reason}\n`, headers };
  }
  if (api) return apiResponse(accounting, url);
  return path === "/metrics" ? scrapeResponse(accounting, options) : healthResponse(accounting);
}
