import { usageFilterFields, type TailFilter, type TimeRange, type UsageRecord, type UsageRecordColumn } from "@llm-accounting/core";
import { usageRecordFromRow } from "./entry-row.js";
import { prismaDate } from "./prisma-date.js";

/** How Prisma returns a value of each kind of usage column. */
interface PrismaValues {
  instant: Date;
  model: string;
  name: string | null;
  tokens: number;
  nanos: bigint;
  seconds: number;
  costSource: string | null;
  flag: boolean;
}

/** An `accounting_entries` row as either generated Prisma client returns it: a field per column of core's table (a column the schemas lack fails to compile where the client is used). */
export type PrismaEntryRow = { id: number; tags: { key: string; value: string }[] } & { [C in UsageRecordColumn as C["field"]]: PrismaValues[C["kind"]] };

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
