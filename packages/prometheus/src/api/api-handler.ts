import { ValidationError, type Accounting } from "@llm-accounting/core";
import type { MetricsResponse } from "../metrics-response.js";
import { BadParameterError } from "./api-errors.js";
import { API_PREFIX, API_ROUTES, readEndpoint } from "./api-routes.js";

const JSON_TYPE = "application/json; charset=utf-8";
const oneLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split("\n")[0]!;

/** A JSON answer: one line, so logs and `curl` show each error whole. */
export const jsonResponse = (status: number, body: unknown): MetricsResponse => ({ status, contentType: JSON_TYPE, body: `${JSON.stringify(body)}\n` });

/** The paths the API answers, prefix included (for docs, tests and 404 hints). */
export const apiPaths = (): string[] => Object.keys(API_ROUTES).map((path) => `${API_PREFIX}${path}`);

/**
 * Answers one `GET /api/v1/...` request (the URL with its query): 200 with the JSON body, 400 for
 * a bad query parameter (naming it), 404 for an unknown path, 503 when the store cannot be read.
 * Authentication is the caller's job (see `metricsRequestListener`).
 */
export async function apiResponse(accounting: Accounting, url: URL, now = new Date()): Promise<MetricsResponse> {
  if (!url.pathname.startsWith(`${API_PREFIX}/`)) return jsonResponse(404, { error: "not_found", reason: `API paths start with ${API_PREFIX}/` });
  try {
    const body = await readEndpoint(accounting, url.pathname.slice(API_PREFIX.length), url.searchParams, now);
    return body === undefined ? jsonResponse(404, { error: "not_found", reason: `no endpoint ${url.pathname}; try ${apiPaths().join(", ")}` }) : jsonResponse(200, body);
  } catch (error) {
    if (error instanceof BadParameterError) return jsonResponse(400, { error: "bad_parameter", parameter: error.parameter, reason: error.reason });
    // The facade's own checks (a filter name too long to be stored, ...): still the client's input.
    if (error instanceof ValidationError) return jsonResponse(400, { error: "bad_parameter", parameter: error.field, reason: error.reason });
    return jsonResponse(503, { error: "store_unavailable", reason: oneLine(error) });
  }
}
