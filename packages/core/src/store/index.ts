export { DEFAULT_QUERY_TIMEOUT_MS, MAX_COLLECTED_ROWS, type QueryResult, type QueryRowSink, type QueryStreamOptions, type QueryStreamSummary, type QueryValue } from "./query-result.js";
export { collectQueryRows } from "./collect-query-rows.js";
export type { TimeRange } from "./time-range.js";
export type { CostSource, NewUsageRecord, UsageRecord, UsageTags } from "./usage-record.js";
export type { UsageStore } from "./usage-store.js";
export type { CostChange } from "./cost-change.js";
export type { ProgressListener, PurgeOptions } from "./progress.js";
export { SUMMED_USAGE_COLUMNS, USAGE_INPUT_FIELDS, USAGE_RECORD_COLUMNS, type UsageColumn, type UsageColumnKind, type UsageRecordColumn } from "./usage-columns.js";
export { EMPTY_TOTALS, addRecord, addTotals, totalsOfRecords } from "./usage-sums.js";
export { USAGE_FILTER_FIELDS, dimensionValue, matchesTagFilter, matchesUsageRecordFilter, usageFilterFields, type TagBreakdownFilter, type TagFilter, type GroupUsageTotals, type ModelUsageTotals, type TailFilter, type UsageDimension, type UsageFilterField, type UsageRecordFilter, type UsageTotals } from "./usage-totals.js";
export type { AuditEntry, AuditFilter, AuditStore, NewAuditEntry } from "./audit-records.js";
export { selectAuditEntries } from "./audit-selection.js";
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
export { INTERVAL_UNITS, LIMIT_SCOPES, LIMIT_TYPES, type IntervalUnit, type LimitScope, type LimitTag, type LimitType, type NewUsageLimit, type UsageLimit } from "./limit-records.js";
export type { AdmissionBound, QuotaUsage, ReleaseNeed, UsageFilter, UsageQuery } from "./quota-usage.js";
export type { ModelPrice, NewModelPrice, PriceStore } from "./price-records.js";
export type { AlertDeliveryOutcome, AlertDeliveryState, AlertFilter, AlertListener, AlertStore, NewAlert, StoredAlert } from "./alert-records.js";
export { STORE_CAPABILITIES, STORE_CONTRACT_VERSION, storeCan, type OptionalStoreMethod, type StoreCapability } from "./store-capabilities.js";
