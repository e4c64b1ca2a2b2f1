import type { AuditEntry, AuditFilter } from "./audit-records.js";

/**
 * The entries matching every given filter field, newest first (timestamp, then id), at most
 * `filter.limit`: what `listAuditEntries` answers, for stores that hold their rows in memory.
 */
export function selectAuditEntries<E extends AuditEntry>(rows: readonly E[], filter: AuditFilter): E[] {
  const selected = rows
    .filter(
      (e) =>
        (filter.start === undefined || e.timestamp >= filter.start) &&
        (filter.end === undefined || e.timestamp <= filter.end) &&
        (filter.appName === undefined || e.appName === filter.appName) &&
        (filter.userName === undefined || e.userName === filter.userName) &&
        (filter.model === undefined || e.model === filter.model) &&
        // `project: null` asks for entries without a project, so compare even when null.
        (filter.project === undefined || e.project === filter.project) &&
        (filter.logType === undefined || e.logType === filter.logType) &&
        (filter.session === undefined || e.session === filter.session),
    )
    .sort((a, b) => b.timestamp.getTime() - a.timestamp.getTime() || b.id - a.id);
  return filter.limit === undefined ? selected : selected.slice(0, filter.limit);
}
