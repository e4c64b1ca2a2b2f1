export { DEFAULT_QUERY_TIMEOUT_MS, MAX_COLLECTED_ROWS, type QueryResult, type QueryRowSink, type QueryStreamOptions, type QueryStreamSummary, type QueryValue } from "./query-result.js";
export { collectQueryRows } from "./collect-query-rows.js";
export type { TimeRange } from "./time-range.js";
export type { CostSource, NewUsageRecord, UsageRecord } from "./usage-record.js";
export type { CostChange, UsageStore } from "./usage-store.js";
export type { ProgressListener, PurgeOptions } from "./progress.js";
export { SUMMED_USAGE_COLUMNS, USAGE_INPUT_FIELDS, USAGE_RECORD_COLUMNS, type UsageColumn, type UsageColumnKind, type UsageRecordColumn } from "./usage-columns.js";
export { EMPTY_TOTALS, addRecord, addTotals, totalsOfRecords } from "./usage-sums.js";
export { USAGE_FILTER_FIELDS, matchesTagFilter, matchesUsageRecordFilter, usageFilterFields, type TagBreakdownFilter, type TagFilter, type GroupUsageTotals, type ModelUsageTotals, type TailFilter, type UsageDimension, type UsageRecordFilter, type UsageTotals } from "./usage-totals.js";
export type { AuditEntry, AuditFilter, AuditStore, NewAuditEntry } from "./audit-records.js";
export type { NewUser, RegistryStore, UserChanges, UserRecord } from "./registry-records.js";
export type {
  GuardedAdmission,
  GuardedDecide,
  GuardedDecision,
  GuardedOutcome,
  GuardedStep,
  GuardedWrite,
  LimitFilter,
  NewQuotaRejection,
  NewReservation,
  QuotaRejection,
} from "./quota-records.js";
export type { ImportBatch, ImportCursor, ImportStore } from "./import-records.js";
export type { AgentCall, AgentImportCounts, AgentImportStore, AgentLogFile } from "./agent-import-records.js";
