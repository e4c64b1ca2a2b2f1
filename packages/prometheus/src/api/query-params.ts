import { checkTags, isTimeZone, parseTimeBound, ValidationError, type TagBreakdownFilter, type UsageRecordFilter } from "@llm-accounting/core";
import { BadParameterError } from "./api-errors.js";

/** A report range: both ends included, with the time zone its days were read in. */
export interface ApiRange {
  readonly since: Date;
  readonly until: Date;
  readonly timezone: string;
}

/** Parameters every report accepts: the range and the record filters. */
export const RANGE_PARAMETERS = ["since", "until", "timezone"] as const;
/** Query parameter -> record filter field (the CLI's `--user` is the store's `username`, ...). */
const FILTER_FIELDS = { model: "model", user: "username", project: "project", caller: "callerName", tier: "serviceTier" } as const;
/** The record filter parameters, as the query spells them. */
export const FILTER_PARAMETERS = Object.keys(FILTER_FIELDS) as (keyof typeof FILTER_FIELDS)[];

/** The tag filter parameter, as the known-parameter list spells it: `tag[team]=search` (OpenAPI's deepObject style). */
export const TAG_PARAMETER = "tag[<key>]";
const TAG_NAME = /^tag\[(.*)\]$/;

/** How far back a range starts when `since` is not given (what a dashboard's first view shows). */
export const DEFAULT_SINCE = "30d";

const BOUND_REASON = "must be a date (2025-01-31), an instant (2025-01-31T13:45:00Z), an age (7d, 24h, 30m), today, yesterday or now";

/**
 * Rejects parameters the endpoint does not know, so a typo (`users=alice`) is an error rather than
 * a silently unfiltered answer; and parameters given twice, which would be ambiguous.
 */
export function checkParameterNames(params: URLSearchParams, allowed: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of params.keys()) {
    if (!allowed.includes(name) && !(TAG_NAME.test(name) && allowed.includes(TAG_PARAMETER))) throw new BadParameterError(name, `is not a parameter of this endpoint (known: ${allowed.join(", ") || "none"})`);
    if (seen.has(name)) throw new BadParameterError(name, "is given more than once");
    seen.add(name);
  }
}

/** `since`/`until`/`timezone` as the CLI's --since/--until/--timezone read them; defaults: the last 30 days up to now. */
export function parseRange(params: URLSearchParams, now: Date): ApiRange {
  const timezone = params.get("timezone") ?? "UTC";
  if (!isTimeZone(timezone)) throw new BadParameterError("timezone", "must be an IANA time zone such as UTC or Europe/Paris");
  const bound = (name: "since" | "until", fallback: string) => {
    const text = params.get(name) ?? fallback;
    const parsed = parseTimeBound(text, name === "since" ? "start" : "end", now, timezone);
    if (parsed === undefined || Number.isNaN(parsed.getTime())) throw new BadParameterError(name, BOUND_REASON);
    return parsed;
  };
  const since = bound("since", DEFAULT_SINCE);
  const until = bound("until", "now");
  if (until.getTime() < since.getTime()) throw new BadParameterError("until", "must not be before since");
  return { since, until, timezone };
}

/** The record filter of `model`, `user`, `project` and `caller` (each an exact name) and of `tag[<key>]=<value>` (every one must match). */
export function parseFilter(params: URLSearchParams): TagBreakdownFilter {
  const filter: Record<string, string> = {};
  for (const name of FILTER_PARAMETERS) {
    const value = params.get(name);
    if (value === null) continue;
    if (value === "") throw new BadParameterError(name, "must not be empty");
    filter[FILTER_FIELDS[name]] = value;
  }
  const tags = parseTags(params);
  return { ...(filter as UsageRecordFilter), ...(tags && { tags }) };
}

function parseTags(params: URLSearchParams): Record<string, string> | undefined {
  const given: Record<string, string> = {};
  for (const [name, value] of params) {
    const key = TAG_NAME.exec(name)?.[1];
    if (key !== undefined) given[key] = value;
  }
  try {
    return checkTags(given, "tag");
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    // `tag.team` in the core's words is the parameter `tag[team]` here.
    throw new BadParameterError(error.field.replace(/^tag\.(.*)$/, "tag[$1]"), error.reason);
  }
}

/** An integer parameter from `min` to `max`, or `fallback` when absent. */
export function parseCount(params: URLSearchParams, name: string, min: number, max: number, fallback: number): number {
  const text = params.get(name);
  if (text === null) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw new BadParameterError(name, `must be an integer from ${min} to ${max}`);
  return Number(text);
}

/** A parameter that must be one of `choices`, or undefined when absent. */
export function parseChoice<T extends string>(params: URLSearchParams, name: string, choices: readonly T[]): T | undefined {
  const text = params.get(name);
  if (text === null) return undefined;
  if (!(choices as readonly string[]).includes(text)) throw new BadParameterError(name, `must be one of ${choices.join(", ")}`);
  return text as T;
}
