import {
  ConflictError,
  RecordRejectedError,
  matchesTagFilter,
  matchesUsageRecordFilter,
  USAGE_RECORD_COLUMNS,
  type AgentCall,
  type AgentImportCounts,
  type AgentLogFile,
  type CostChange,
  type LimitFilter,
  type ModelPrice,
  type TailFilter,
  type NewUsageLimit,
  type NewUsageRecord,
  type PurgeOptions,
  type UsageLimit,
  type UsageRecord,
} from "@llm-accounting/core";
import type { MemoryData } from "./memory-data.js";

// What a known agent call seen again with more tokens takes from the new copy: its tokens and cost.
const GROWN_FIELDS = USAGE_RECORD_COLUMNS.filter((c) => c.kind === "tokens" || c.kind === "nanos" || c.kind === "costSource").map((c) => c.field);

/**
 * Refuses what a database's column types and NOT NULL constraints would refuse. The facade
 * validates input before it reaches a store, but the contract also holds for direct callers:
 * a store must never keep a row it cannot give back intact.
 */
export function checkRecord(record: NewUsageRecord, index = 0): void {
  if (typeof record.model !== "string") throw new RecordRejectedError(`record ${index}: model must be a string`);
  if (!(record.timestamp instanceof Date) || Number.isNaN(record.timestamp.getTime())) throw new RecordRejectedError(`record ${index}: invalid timestamp`);
  if (typeof record.costNanos !== "bigint") throw new RecordRejectedError(`record ${index}: costNanos must be a bigint`);
}

/**
 * A stored copy of a record with its id. Copies go in and out so callers can never change stored
 * rows by mutating what they passed or got back. A record without tags has no `tags` key at all,
 * as the SQL stores read it back.
 */
export function storedRecord(id: number, record: NewUsageRecord): UsageRecord {
  const { tags, ...fields } = record;
  const copy: UsageRecord = { id, ...fields, timestamp: new Date(record.timestamp) };
  return tags !== undefined && Object.keys(tags).length > 0 ? { ...copy, tags: { ...tags } } : copy;
}

/** A record as handed to a caller: its own copy. */
export const copyRecord = (r: UsageRecord): UsageRecord => storedRecord(r.id, r);

/** Appends records, all checked first so a bad one stores none of them. Returns their ids. */
export function appendRecords(data: MemoryData, records: readonly NewUsageRecord[]): number[] {
  records.forEach(checkRecord);
  return records.map((record) => {
    const id = data.nextId("usage");
    data.usage.push(storedRecord(id, record));
    return id;
  });
}

/**
 * Stores a limit. The original's uniqueness rule, kept for compatibility: only limits whose four
 * selectors are all set can clash (SQL NULLs are distinct in a unique index).
 */
export function insertLimit(data: MemoryData, limit: NewUsageLimit, now: Date): UsageLimit {
  const allSet = limit.model !== null && limit.username !== null && limit.callerName !== null && limit.projectName !== null;
  const same = (l: UsageLimit) =>
    l.scope === limit.scope && l.limitType === limit.limitType && l.model === limit.model && l.username === limit.username && l.callerName === limit.callerName && l.projectName === limit.projectName;
  if (allSet && data.limits.some(same)) throw new ConflictError("a limit with the same scope, limit type, model, username, caller and project already exists");
  const stored: UsageLimit = { ...limit, ...(limit.alertAt && { alertAt: [...limit.alertAt] }), id: data.nextId("limits"), createdAt: now, updatedAt: now };
  data.limits.push(stored);
  data.limitsVersion++;
  return { ...stored };
}

/** Limits matching every given filter field, in id order. */
export function listLimits(data: MemoryData, filter: LimitFilter): UsageLimit[] {
  return data.limits
    .filter(
      (l) =>
        (filter.scope === undefined || l.scope === filter.scope) &&
        (filter.model === undefined || l.model === filter.model) &&
        (filter.username === undefined || l.username === filter.username) &&
        (filter.callerName === undefined || l.callerName === filter.callerName) &&
        (filter.projectName === undefined || l.projectName === filter.projectName),
    )
    .map((l) => ({ ...l }));
}

/**
 * Agent-log import: a call's key is its identity, so a rerun or a copy in another file stores
 * nothing new, and a larger copy of a known call (a streamed call's final line) updates its
 * tokens and cost in place, keeping the first copy's time, session and project. The file's
 * progress is saved in the same step, so a crash never re-counts or skips a call.
 */
export function importAgentCalls(data: MemoryData, calls: readonly AgentCall[], file: AgentLogFile): AgentImportCounts {
  calls.forEach((call, i) => checkRecord(call.record, i));
  let inserted = 0;
  let updated = 0;
  for (const { key, record } of calls) {
    const known = data.agentCalls.get(key);
    if (!known) {
      const [id] = appendRecords(data, [record]);
      data.agentCalls.set(key, { entryId: id!, tokens: record.totalTokens });
      inserted++;
    } else if (record.totalTokens > known.tokens) {
      const grow = Object.fromEntries(GROWN_FIELDS.map((field) => [field, record[field]]));
      data.usage = data.usage.map((r) => (r.id === known.entryId ? { ...r, ...grow } : r));
      data.agentCalls.set(key, { entryId: known.entryId, tokens: record.totalTokens });
      data.usageMutations++;
      updated++;
    }
  }
  data.agentFiles.set(`${file.source}\u0000${file.path}`, { ...file });
  return { inserted, updated };
}

/** Sets the costs of a reprice; unknown ids are ignored, as an UPDATE matching no row would. */
export function updateCosts(data: MemoryData, changes: readonly CostChange[]): void {
  if (changes.length === 0) return;
  const byId = new Map(changes.map((c) => [c.id, c]));
  data.usage = data.usage.map((r) => {
    const change = byId.get(r.id);
    return change ? { ...r, costNanos: change.costNanos, costSource: change.costSource } : r;
  });
  // Watchers (the dashboard) see new rows by their ids, but a changed row only by this counter.
  data.usageMutations++;
}

/** Deletes the records stamped before `before` (all when absent) of `project` (any when absent); returns how many. */
export function purgeUsage(data: MemoryData, { before, project }: PurgeOptions): number {
  const purged = (r: UsageRecord) => (before === undefined || r.timestamp.getTime() < before.getTime()) && (project === undefined || r.project === project);
  const gone = new Set(data.usage.filter(purged).map((r) => r.id));
  if (gone.size === 0) return 0;
  data.usage = data.usage.filter((r) => !gone.has(r.id));
  // What a foreign key with ON DELETE CASCADE does: imported calls whose row is gone are forgotten.
  for (const [key, call] of data.agentCalls) if (gone.has(call.entryId)) data.agentCalls.delete(key);
  data.usageMutations++;
  return gone.size;
}

/** The newest `limit` records passing the filter: by timestamp, then id, both descending. */
export function tailRows(data: MemoryData, limit: number, filter: TailFilter): UsageRecord[] {
  const { since, until } = filter;
  return data.usage
    .filter((r) => matchesUsageRecordFilter(filter, r) && matchesTagFilter(filter, r.tags) && (since === undefined || r.timestamp >= since) && (until === undefined || r.timestamp <= until))
    .sort((a, b) => b.timestamp.getTime() - a.timestamp.getTime() || b.id - a.id)
    .slice(0, Math.max(0, limit))
    .map(copyRecord);
}

/** Prices by model, then effective date, then id: the order pricing reads them in. */
export function listPrices(data: MemoryData): ModelPrice[] {
  const order = (a: ModelPrice, b: ModelPrice) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0) || a.effectiveFrom.getTime() - b.effectiveFrom.getTime() || a.id - b.id;
  return [...data.prices].sort(order).map((p) => ({ ...p }));
}
