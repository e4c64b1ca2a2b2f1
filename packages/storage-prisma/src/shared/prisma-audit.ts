import type { AuditEntry, AuditFilter, NewAuditEntry } from "@llm-accounting/core";

/** The part of Prisma's `auditLogEntry` delegate the stores use (identical in both clients). */
export interface AuditDelegate {
  create(args: { data: NewAuditEntry; select: { id: true } }): PromiseLike<{ id: number }>;
  findMany(args: {
    where: Record<string, unknown>;
    orderBy: ({ timestamp: "desc" } | { id: "desc" })[];
    take?: number;
  }): PromiseLike<AuditEntry[]>;
}

/** Stores an audit entry; returns its id. */
export async function createAuditEntry(audit: AuditDelegate, entry: NewAuditEntry): Promise<number> {
  return (await audit.create({ data: entry, select: { id: true } })).id;
}

/** Audit entries matching every given filter, newest first. */
export async function findAuditEntries(audit: AuditDelegate, filter: AuditFilter = {}): Promise<AuditEntry[]> {
  const where: Record<string, unknown> = {};
  if (filter.start || filter.end) where.timestamp = { ...(filter.start && { gte: filter.start }), ...(filter.end && { lte: filter.end }) };
  if (filter.appName !== undefined) where.appName = filter.appName;
  if (filter.userName !== undefined) where.userName = filter.userName;
  if (filter.model !== undefined) where.model = filter.model;
  if (filter.project !== undefined) where.project = filter.project;
  if (filter.logType !== undefined) where.logType = filter.logType;
  if (filter.session !== undefined) where.session = filter.session;
  return audit.findMany({ where, orderBy: [{ timestamp: "desc" }, { id: "desc" }], ...(filter.limit !== undefined && { take: filter.limit }) });
}
