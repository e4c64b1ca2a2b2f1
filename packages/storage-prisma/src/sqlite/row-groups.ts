// The row groups the SQLite quota part cache reads: rows of one instant and one set of names
// summed, optionally split by the value of one tag key (for TAG limits' filters).
import type { FilterableUsage, UsageFilter } from "@llm-accounting/core";
import type { Amounts } from "./minute-rows.js";

/** Rows of one instant and one set of names, summed (the largest id among them as `id`). */
export interface RowGroup {
  id: bigint;
  timestamp: string;
  model: string;
  username: string | null;
  caller_name: string | null;
  project: string | null;
  requests: bigint;
  prompt_tokens: bigint;
  completion_tokens: bigint;
  total_tokens: bigint;
  cost_nanos: bigint;
}

// Rows come grouped by instant and names: a batch of a thousand calls made in a few milliseconds
// by a few callers is a few groups to add, not a thousand rows (each with five BigInts).
export const GROUPED =
  "SELECT MAX(id) AS id, timestamp, model, username, caller_name, project, COUNT(*) AS requests, SUM(prompt_tokens) AS prompt_tokens, " +
  "SUM(completion_tokens) AS completion_tokens, SUM(total_tokens) AS total_tokens, SUM(cost_nanos) AS cost_nanos FROM accounting_entries WHERE ";
export const BY_NAMES = " GROUP BY timestamp, model, username, caller_name, project";
// The same groups split by the value of one tag key (rows without it left out), for TAG filters.
// The entries stay the outer table (their id or timestamp range, then each row's tag by primary
// key): CROSS JOIN fixes the order, which SQLite would otherwise pick by the tag index's key
// equality (every row with the key), and reading new rows by id says NOT INDEXED, or SQLite walks
// the whole timestamp index to save the GROUP BY's sort.
const tagged = (entries: string) =>
  "SELECT MAX(e.id) AS id, e.timestamp, e.model, e.username, e.caller_name, e.project, t.value AS tag_value, COUNT(*) AS requests, SUM(e.prompt_tokens) AS prompt_tokens, " +
  `SUM(e.completion_tokens) AS completion_tokens, SUM(e.total_tokens) AS total_tokens, SUM(e.cost_nanos) AS cost_nanos FROM ${entries} CROSS JOIN usage_tags t ON t.entry_id = e.id AND t.key = ? WHERE `;
/** Tagged groups of the rows after an id (`e.id > ?` follows). */
export const TAGGED_BY_ID = tagged("accounting_entries e NOT INDEXED");
/** Tagged groups of a time range (`e.timestamp >= ? AND e.timestamp < ?` follows). */
export const TAGGED_BY_TIME = tagged("accounting_entries e");
export const BY_NAMES_AND_TAG = " GROUP BY e.timestamp, e.model, e.username, e.caller_name, e.project, t.value";

/** A row group split by its value of one tag key. */
export interface TaggedGroup extends RowGroup {
  tag_value: string;
}

/** The filter columns of a tagged group: its names, and its one tag. */
export const columnsOf = (group: TaggedGroup, key: string): FilterableUsage => ({
  model: group.model,
  username: group.username,
  callerName: group.caller_name,
  project: group.project,
  tags: { [key]: group.tag_value },
});

/** Items whose filter has a tag, grouped by the tag's key. */
export function byTagKey<T>(items: readonly T[], filterOf: (item: T) => UsageFilter): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const key = filterOf(item).tag?.key;
    if (key === undefined) continue;
    const list = out.get(key);
    if (list) list.push(item);
    else out.set(key, [item]);
  }
  return out;
}


/** A row group as the part cache keeps it: its instant, the names a filter tests, its amounts. */
export interface HeldGroup {
  readonly ts: number;
  readonly columns: FilterableUsage;
  readonly amounts: Amounts;
}

/** The amounts of a group of stored rows. */
export function amountsOf(group: RowGroup): Amounts {
  return { requests: Number(group.requests), input: Number(group.prompt_tokens), output: Number(group.completion_tokens), total: Number(group.total_tokens), cost: group.cost_nanos };
}

/** A row group of the untagged read, held. */
export const heldGroup = (raw: RowGroup): HeldGroup => ({
  ts: Date.parse(raw.timestamp),
  columns: { model: raw.model, username: raw.username, callerName: raw.caller_name, project: raw.project },
  amounts: amountsOf(raw),
});

/** A row group of the read split by tag `key`, held. */
export const heldTaggedGroup = (raw: TaggedGroup, key: string): HeldGroup => ({ ts: Date.parse(raw.timestamp), columns: columnsOf(raw, key), amounts: amountsOf(raw) });
