import type { AuditFilter, UsageLimit, UsageRecordFilter } from "@llm-accounting/core";

/** The dashboard's filter: the store filter every view reads through (empty: everything). */
export type DashboardFilter = UsageRecordFilter;

// Words typed at the `/` prompt, and the filter field each sets.
const FIELDS: Record<string, keyof UsageRecordFilter> = { model: "model", user: "username", username: "username", project: "project", caller: "callerName", session: "session", tier: "serviceTier" };
const LABEL: Record<keyof UsageRecordFilter, string> = { model: "model", username: "user", project: "project", callerName: "caller", session: "session", serviceTier: "tier" };
/** What stands for "no value" (records without a user, project or caller), as the breakdown shows it. */
export const NONE = "(none)";

/**
 * Parses the `/` prompt: `user:ann model:gpt-4o` (words `model`, `user`, `project`, `caller`,
 * `session`, `tier`; a value with spaces in double quotes; `(none)` for records without one). All given
 * fields must match. Empty text is no filter. Returns an error message for anything else.
 */
export function parseFilter(text: string): { filter: DashboardFilter } | { error: string } {
  const filter: Record<string, string | null> = {};
  const pattern = /\s*([A-Za-z]+):(?:"([^"]*)"|(\S+))\s*/y;
  let at = 0;
  const rest = text.trim();
  while (at < rest.length) {
    pattern.lastIndex = at;
    const match = pattern.exec(rest);
    if (!match) return { error: `use field:value with field model, user, project, caller, session or tier (at "${rest.slice(at, at + 20)}")` };
    const field = FIELDS[match[1]!.toLowerCase()];
    if (!field) return { error: `unknown field "${match[1]}": use model, user, project, caller, session or tier` };
    const value = match[2] ?? match[3]!;
    if (value === NONE && (field === "model" || field === "session")) return { error: `every record has a ${LABEL[field]}; ${NONE} matches none` };
    filter[field] = value === NONE ? null : value;
    at = pattern.lastIndex;
  }
  return { filter: filter as DashboardFilter };
}

const quote = (value: string): string => (/[\s"]/.test(value) || value === "" ? `"${value.replace(/"/g, "'")}"` : value);

/** How a filter reads in the header and can be typed back at the prompt: `model:gpt-4o user:ann`; empty for none. */
export function filterLabel(filter: DashboardFilter): string {
  return (Object.keys(LABEL) as (keyof UsageRecordFilter)[])
    .filter((field) => filter[field] !== undefined)
    .map((field) => `${LABEL[field]}:${filter[field] === null ? NONE : quote(filter[field]!)}`)
    .join(" ");
}

/** Whether a filter narrows anything. */
export const isFiltered = (filter: DashboardFilter): boolean => filterLabel(filter) !== "";

/**
 * The filter as the audit log can apply it: user, model, project and session as they are; the
 * caller is the audit entry's app name. A field the audit log cannot match (a missing user or
 * caller) makes it `undefined`: no entry can be shown as matching.
 */
export function auditFilter(filter: DashboardFilter): AuditFilter | undefined {
  // Audit entries carry no service tier either.
  if (filter.username === null || filter.callerName === null || filter.serviceTier !== undefined) return undefined;
  return {
    ...(filter.username !== undefined && { userName: filter.username }),
    ...(filter.callerName !== undefined && { appName: filter.callerName }),
    ...(filter.model !== undefined && { model: filter.model }),
    ...(filter.project !== undefined && { project: filter.project }),
    ...(filter.session !== undefined && { session: filter.session }),
  };
}

/**
 * Whether a limit can count the filtered calls: each of its model, user, caller and project is
 * either unset (it applies to every value) or the filter's value. A session or tier filter keeps
 * every limit (limits are not per session or tier).
 */
export function limitConcerns(limit: UsageLimit, filter: DashboardFilter): boolean {
  const same = (mine: string | null, theirs: string | null | undefined) => mine === null || theirs === undefined || mine === theirs;
  return same(limit.model, filter.model) && same(limit.username, filter.username) && same(limit.callerName, filter.callerName) && same(limit.projectName, filter.project);
}
