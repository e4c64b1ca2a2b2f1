import { checkTagKey, type Accounting, type AlertDeliveryState, type UsageDimension } from "@llm-accounting/core";
import { alertsJson, breakdownJson, dailyJson, limitsJson, recentJson, summaryJson } from "./api-json.js";
import { BadParameterError } from "./api-errors.js";
import { dayBuckets } from "./day-buckets.js";
import { checkParameterNames, FILTER_PARAMETERS, parseChoice, parseCount, parseFilter, parseRange, RANGE_PARAMETERS, TAG_PARAMETER } from "./query-params.js";

/** The version prefix: an incompatible change gets `/api/v2` beside it, not a changed v1. */
export const API_PREFIX = "/api/v1";

/** What a route reads: the facade, the query, and the clock of this request. */
type Read = (accounting: Accounting, params: URLSearchParams, now: Date) => Promise<unknown>;

interface Route {
  readonly parameters: readonly string[];
  readonly read: Read;
}

const REPORT = [...RANGE_PARAMETERS, ...FILTER_PARAMETERS, TAG_PARAMETER];
/** Breakdown path segment -> the store column it groups by. */
const DIMENSIONS = { model: "model", user: "username", project: "project", caller: "callerName", "service-tier": "serviceTier" } as const satisfies Record<string, UsageDimension>;
const ALERT_STATES: readonly AlertDeliveryState[] = ["pending", "delivered", "failed"];

const summary: Read = async (accounting, params, now) => {
  const range = parseRange(params, now);
  const filter = parseFilter(params);
  return summaryJson(range, filter, await accounting.getPeriodStats(range.since, range.until, filter));
};

const daily: Read = async (accounting, params, now) => {
  const range = parseRange(params, now);
  const filter = parseFilter(params);
  const buckets = dayBuckets(range);
  // One sum per day; the SQL stores answer whole days from their rollups, only the partial first
  // and last days touch the calls.
  const stats = await Promise.all(buckets.map((b) => accounting.getPeriodStats(b.start, b.end, filter)));
  return dailyJson(range, filter, buckets.map((b, i) => ({ day: b.day, stats: stats[i]! })));
};

const breakdown = (by: keyof typeof DIMENSIONS): Read => async (accounting, params, now) => {
  const range = parseRange(params, now);
  const filter = parseFilter(params);
  return breakdownJson(range, filter, by, await accounting.getUsageBreakdown(range.since, range.until, DIMENSIONS[by], filter));
};

// By the values of one tag key (`key`, required), as `stats --by tag:<key>`: untagged calls are the
// group with key null.
const tagBreakdown: Read = async (accounting, params, now) => {
  const key = params.get("key");
  if (!key) throw new BadParameterError("key", "is required: the tag key to group by (e.g. key=feature)");
  checkTagKey(key, "key");
  const range = parseRange(params, now);
  const filter = parseFilter(params);
  return breakdownJson(range, filter, `tag:${key}`, await accounting.getUsageByTag(range.since, range.until, key, filter));
};

const recent: Read = async (accounting, params, now) => {
  const limit = parseCount(params, "limit", 1, 1000, 20);
  const filter = parseFilter(params);
  // Unlike the reports, no range unless one is asked for: the newest calls, whenever they were made.
  const range = params.has("since") || params.has("until") ? parseRange(params, now) : undefined;
  return recentJson(await accounting.tail(limit, { ...filter, ...(range && { since: range.since, until: range.until }) }));
};

const limits: Read = async (accounting) => limitsJson(await accounting.getLimitStatus());

const alerts: Read = async (accounting, params) => {
  const limit = parseCount(params, "limit", 1, 1000, 100);
  const state = parseChoice(params, "state", ALERT_STATES);
  return alertsJson(await accounting.listAlerts({ limit, ...(state && { state }) }));
};

/** Every endpoint under the prefix, with the query parameters it accepts. */
export const API_ROUTES: Readonly<Record<string, Route>> = {
  "/summary": { parameters: REPORT, read: summary },
  "/cost/daily": { parameters: REPORT, read: daily },
  ...Object.fromEntries(Object.keys(DIMENSIONS).map((by) => [`/breakdown/${by}`, { parameters: REPORT, read: breakdown(by as keyof typeof DIMENSIONS) }])),
  "/breakdown/tag": { parameters: ["key", ...REPORT], read: tagBreakdown },
  "/recent": { parameters: ["limit", ...REPORT], read: recent },
  "/limits": { parameters: [], read: limits },
  "/alerts": { parameters: ["limit", "state"], read: alerts },
};

/** Reads the answer of one endpoint (path without the prefix); undefined for an unknown path. */
export async function readEndpoint(accounting: Accounting, path: string, params: URLSearchParams, now: Date): Promise<unknown> {
  const route = Object.hasOwn(API_ROUTES, path) ? API_ROUTES[path] : undefined;
  if (!route) return undefined;
  checkParameterNames(params, route.parameters);
  return route.read(accounting, params, now);
}
