// What the page shows: a range of whole days, the drill-down filters (columns and tags) and the tag
// key. It is kept in the address bar's query (never the token) so a view can be bookmarked or shared.
// `by` names a breakdown (its API path and panel), `param` the filter it sets (`tier=batch`).
export const DIMENSIONS = [
  { by: "model", param: "model" },
  { by: "user", param: "user" },
  { by: "project", param: "project" },
  { by: "caller", param: "caller" },
  { by: "service-tier", param: "tier" },
];
const DEFAULT_DAYS = 30;
// Tag filters are spelled as the API spells them, `tag[feature]=search`, so a dashboard address
// and an API query read the same. A key the API refuses is kept: its chip shows, the status line
// says why nothing loads, and the chip removes it (an address silently read without it would show
// unfiltered figures as if filtered).
const TAG_PARAM = /^tag\[(.*)\]$/;

/** A YYYY-MM-DD day in the browser's zone, `back` days before today. */
export function dayOffset(back) {
  const date = new Date();
  date.setDate(date.getDate() - back);
  return [date.getFullYear(), date.getMonth() + 1, date.getDate()].map((n) => String(n).padStart(2, "0")).join("-");
}

const day = (text) => (/^\d{4}-\d{2}-\d{2}$/.test(text ?? "") ? text : undefined);

function readTags(query) {
  const tags = {};
  for (const [name, value] of query) {
    const key = TAG_PARAM.exec(name)?.[1];
    if (key !== undefined && value) tags[key] = value;
  }
  return tags;
}

/** The state in the address bar, defaults filled in (the last 30 days). */
export function readState() {
  const query = new URLSearchParams(location.search);
  const filters = Object.fromEntries(DIMENSIONS.filter(({ param }) => query.get(param)).map(({ param }) => [param, query.get(param)]));
  return {
    since: day(query.get("since")) ?? dayOffset(DEFAULT_DAYS - 1),
    until: day(query.get("until")) ?? dayOffset(0),
    filters,
    tags: readTags(query),
    tagKey: query.get("tagKey") || undefined,
  };
}

/** Writes the state to the address bar without a reload (and without the fragment). */
export function writeState(state) {
  const query = new URLSearchParams({ since: state.since, until: state.until, ...filterParams(state) });
  if (state.tagKey) query.set("tagKey", state.tagKey);
  history.replaceState(history.state, "", `${location.pathname}?${query}`);
}

/** The filters as query parameters: `user=alice`, `tag[feature]=search`. */
export function filterParams(state) {
  return { ...state.filters, ...Object.fromEntries(Object.entries(state.tags).map(([key, value]) => [`tag[${key}]`, value])) };
}

/** The query every report takes: the range in the browser's zone and the filters. */
export function reportParams(state) {
  return { since: state.since, until: state.until, timezone: Intl.DateTimeFormat().resolvedOptions().timeZone, ...filterParams(state) };
}
