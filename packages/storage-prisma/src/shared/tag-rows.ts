// Kept free of imports: the SQLite writer thread loads it, and must not load @llm-accounting/core.

/** A record's tags as (key, value) pairs in key order, as the usage_tags rows store them; none for no tags. */
export function tagPairs(tags: Readonly<Record<string, string>> | null | undefined): [string, string][] {
  if (!tags) return [];
  return Object.keys(tags)
    .sort()
    .map((key) => [key, tags[key]!]);
}

/** usage_tags rows as the tags of their records, keyed by entry id. */
export function tagsByEntry(rows: readonly { entry_id?: unknown; entryId?: unknown; key: unknown; value: unknown }[]): Map<number, Record<string, string>> {
  const byEntry = new Map<number, Record<string, string>>();
  for (const row of rows) {
    const id = Number(row.entry_id ?? row.entryId);
    let tags = byEntry.get(id);
    if (!tags) byEntry.set(id, (tags = {}));
    tags[String(row.key)] = String(row.value);
  }
  return byEntry;
}
