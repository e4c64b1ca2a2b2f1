import { selectAuditEntries, type AuditEntry, type AuditFilter, type NewAuditEntry, type NewQuotaRejection, type QuotaRejection } from "@llm-accounting/core";
import type { CsvTables } from "./csv-tables.js";

// The CSV store's two logs: quota rejections and audit entries. Both list newest first.

/** Appends a quota rejection; returns its id. */
export function insertRejection(t: CsvTables, rejection: NewQuotaRejection): Promise<number> {
  return t.write(() => t.rejections.append([rejection])[0]!.id);
}

/** The rejections, of one session when given, newest first. */
export function listRejections(t: CsvTables, session?: string): Promise<QuotaRejection[]> {
  return t.locked(() =>
    t.rejections.rows.filter((r) => session === undefined || r.session === session).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id),
  );
}

/** Appends an audit entry; returns its id. */
export function insertAuditEntry(t: CsvTables, entry: NewAuditEntry): Promise<number> {
  return t.write(() => t.audit.append([entry])[0]!.id);
}

/** The audit entries matching the filter, newest first, at most `filter.limit`. */
export function listAuditEntries(t: CsvTables, filter: AuditFilter): Promise<AuditEntry[]> {
  return t.locked(() => selectAuditEntries(t.audit.rows, filter));
}
