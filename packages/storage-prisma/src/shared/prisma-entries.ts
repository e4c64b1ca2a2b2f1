import { usageFilterFields, type TailFilter, type TimeRange, type UsageRecord } from "@llm-accounting/core";
import { usageRecordFromRow } from "./entry-row.js";
import { prismaDate } from "./prisma-date.js";

/** An `accounting_entries` row as either generated Prisma client returns it. */
export interface PrismaEntryRow {
  id: number;
  timestamp: Date;
  model: string;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  localPromptTokens: number;
  localCompletionTokens: number;
  localTotalTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  costNanos: bigint;
  costSource: string | null;
  provider: string | null;
  executionTime: number;
  callerName: string | null;
  username: string | null;
  project: string | null;
  session: string | null;
  tags: { key: string; value: string }[];
}

/** The part of Prisma's `accountingEntry` delegate both stores use, identical in both clients. */
export interface EntryDelegate {
  findMany(args: {
    where: { session?: string; timestamp?: { gte?: Date; lte?: Date }; id?: { gt: number }; AND?: { tags: { some: { key: string; value: string } } }[] };
    orderBy: ({ timestamp: "desc" } | { id: "desc" } | { id: "asc" })[];
    take: number;
    omit: { notes: true };
    include: { tags: { select: { key: true; value: true } } };
  }): PromiseLike<PrismaEntryRow[]>;
}

/** A Prisma entry row as a usage record, with its tags when it has any. */
function toRecord(row: PrismaEntryRow): UsageRecord {
  const record = usageRecordFromRow(row, prismaDate);
  // A record without tags has no `tags` key, as the facade makes it.
  return row.tags.length === 0 ? record : { ...record, tags: Object.fromEntries(row.tags.map((t) => [t.key, t.value])) };
}

const WITH_TAGS = { tags: { select: { key: true, value: true } } } as const;

/** The `limit` newest entries through Prisma's query builder (same code for every provider). */
export async function tailEntries(entries: EntryDelegate, limit: number, filter: TailFilter = {}): Promise<UsageRecord[]> {
  if (limit <= 0) return [];
  const timestamp = filter.since === undefined && filter.until === undefined ? undefined : { ...(filter.since && { gte: filter.since }), ...(filter.until && { lte: filter.until }) };
  const tagged = Object.entries(filter.tags ?? {}).map(([key, value]) => ({ tags: { some: { key, value } } }));
  const where = { ...Object.fromEntries(usageFilterFields(filter)), ...(timestamp && { timestamp }), ...(tagged.length > 0 && { AND: tagged }) };
  const rows = await entries.findMany({ where, orderBy: [{ timestamp: "desc" }, { id: "desc" }], take: limit, omit: { notes: true }, include: WITH_TAGS });
  return rows.map(toRecord);
}

/** Up to `limit` entries in the range with an id above `afterId`, in id order. */
export async function entriesInRange(entries: EntryDelegate, range: TimeRange, afterId: number, limit: number): Promise<UsageRecord[]> {
  const rows = await entries.findMany({ where: { timestamp: { gte: range.start, lte: range.end }, id: { gt: afterId } }, orderBy: [{ id: "asc" }], take: limit, omit: { notes: true }, include: WITH_TAGS });
  return rows.map(toRecord);
}
