import type { UsageLimit } from "../store/limit-records.js";
import type { UsageFilter } from "../store/quota-usage.js";
import type { QuotaRequest } from "./quota-request.js";

const WILDCARD = "*";
// "" on a limit selector means "not constrained", like null (the original tested truthiness).
const concrete = (value: string | null): value is string => Boolean(value) && value !== WILDCARD;

/** Whether a limit applies to a request (a concrete selector must equal the request's value; docs/behaviour.md). */
export function isLimitApplicable(limit: UsageLimit, request: QuotaRequest): boolean {
  if (limit.scope === "GLOBAL") return true;
  if (concrete(limit.model) && limit.model !== request.model) return false;
  if (concrete(limit.username) && limit.username !== request.username) return false;
  if (concrete(limit.callerName) && limit.callerName !== request.callerName) return false;
  if (concrete(limit.projectName) && limit.projectName !== request.projectName) return false;
  if (limit.scope === "PROJECT" && !limit.projectName && request.projectName !== null) return false;
  if (limit.scope === "TAG" && !tagMatches(limit.tag, request.tags)) return false;
  return true;
}

// A TAG limit without its tag (a damaged row) matches nothing rather than everything.
const tagMatches = (tag: UsageLimit["tag"], tags: QuotaRequest["tags"]): boolean => {
  const value = tag ? tagValue(tags, tag.key) : undefined;
  return value !== undefined && (tag!.value === WILDCARD || value === tag!.value);
};

// Own keys only: a key such as `constructor` is valid, and must not find Object.prototype's.
const tagValue = (tags: Readonly<Record<string, string>> | null | undefined, key: string): string | undefined => (tags && Object.hasOwn(tags, key) ? tags[key] : undefined);

/**
 * How many of the four selectors leave the limit unconstrained (null, "" or `*`), one less for a
 * TAG limit's concrete tag value: a tag is one more selector, so `TAG tenant=acme` ranks with
 * `MODEL m`, and `tenant=*` with GLOBAL.
 */
export function genericity(limit: UsageLimit): number {
  const open = [limit.model, limit.username, limit.callerName, limit.projectName].filter((v) => !concrete(v)).length;
  return limit.scope === "TAG" && concrete(limit.tag?.value ?? null) ? open - 1 : open;
}

/** Most specific limits first; equally specific ones keep their order (stable sort). */
export function orderBySpecificity(limits: readonly UsageLimit[]): UsageLimit[] {
  return limits
    .map((limit, index) => ({ limit, index, g: genericity(limit) }))
    .sort((a, b) => a.g - b.g || a.index - b.index)
    .map((x) => x.limit);
}

/**
 * Which rows a limit counts (docs/behaviour.md): GLOBAL counts all; otherwise equality on each concrete
 * selector; PROJECT with no project counts rows without one. `*` pools everybody's usage.
 * A "" selector counts everybody, like null; on a PROJECT limit it means "no project", as for
 * null, so counting agrees with isLimitApplicable (the original's SQLite backend counted only
 * rows with project = '' for it).
 */
export function usageFilterFor(limit: UsageLimit): UsageFilter {
  if (limit.scope === "GLOBAL") return {};
  const filter: { model?: string; username?: string; callerName?: string; project?: string | null; tag?: UsageFilter["tag"] } = {};
  if (concrete(limit.model)) filter.model = limit.model;
  if (concrete(limit.username)) filter.username = limit.username;
  if (concrete(limit.callerName)) filter.callerName = limit.callerName;
  if (concrete(limit.projectName)) filter.project = limit.projectName;
  else if (limit.scope === "PROJECT" && !limit.projectName) filter.project = null;
  // `*` pools every value of the key: one sum over the rows that carry it.
  if (limit.scope === "TAG" && limit.tag) filter.tag = { key: limit.tag.key, value: concrete(limit.tag.value) ? limit.tag.value : null };
  return filter;
}

/** The columns a usage filter looks at. */
export interface FilterableUsage {
  readonly model: string;
  readonly username: string | null;
  readonly callerName: string | null;
  readonly project: string | null;
  /** The row's tags; only filters with a `tag` read them. */
  readonly tags?: Readonly<Record<string, string>> | null;
}

/**
 * Whether a row is counted by a filter (equality per given field; `project: null` means no
 * project; a `tag` needs the key, and its value unless null).
 */
export function usageFilterMatches(filter: UsageFilter, row: FilterableUsage): boolean {
  return (
    (filter.model === undefined || row.model === filter.model) &&
    (filter.username === undefined || row.username === filter.username) &&
    (filter.callerName === undefined || row.callerName === filter.callerName) &&
    (filter.project === undefined || row.project === filter.project) &&
    (filter.tag === undefined || rowHasTag(filter.tag, row.tags))
  );
}

const rowHasTag = (tag: NonNullable<UsageFilter["tag"]>, tags: FilterableUsage["tags"]): boolean => {
  const value = tagValue(tags, tag.key);
  return value !== undefined && (tag.value === null || value === tag.value);
};
