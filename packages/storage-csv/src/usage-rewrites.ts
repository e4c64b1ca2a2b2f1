import type { CostChange, PurgeOptions } from "@llm-accounting/core";
import { USAGE_MUTATIONS, type CsvTables } from "./csv-tables.js";

// Changes to recorded usage. Each rewrites the usage file once (temporary file, rename) under the
// lock, and bumps the usage mutation counter first, as the SQL stores' triggers do.

/** Sets new costs on recorded usage rows, in one rewrite. */
export function updateCosts(t: CsvTables, changes: readonly CostChange[]): Promise<void> {
  return t.write(() => {
    if (changes.length === 0) return;
    t.bump(USAGE_MUTATIONS);
    const byId = new Map(changes.map((c) => [c.id, c]));
    // One rewrite, however many changes: chunks would each rewrite the whole file. Other writers
    // wait for that one rewrite only.
    t.usage.rewrite(t.usage.rows.map((r) => {
      const change = byId.get(r.id);
      return change ? { ...r, costNanos: change.costNanos, costSource: change.costSource } : r;
    }));
  });
}

/** Rewrites the usage file without the matching records; returns how many went. */
export function purgeUsage(t: CsvTables, options: PurgeOptions): Promise<number> {
  const { before, project } = options;
  const matches = (r: { timestamp: Date; project: string | null }) =>
    (before === undefined || r.timestamp.getTime() < before.getTime()) && (project === undefined || r.project === project);
  return t.write(() => {
    const kept = t.usage.rows.filter((r) => !matches(r));
    const count = t.usage.rows.length - kept.length;
    if (count > 0) {
      t.bump(USAGE_MUTATIONS);
      t.usage.rewrite(kept);
    }
    return count;
  });
}
