import {
  INTERVAL_UNITS,
  LIMIT_SCOPES,
  LIMIT_TYPES,
  parseInstant,
  usdToNanos,
  USAGE_RECORD_COLUMNS,
  type NewAuditEntry,
  type NewQuotaRejection,
  type NewUsageLimit,
  type NewUsageRecord,
  type NewUser,
  type UsageRecordColumn,
} from "@llm-accounting/core";
import type { SourceRow } from "./python-source.js";

const int = (v: unknown): number => (v === null || v === undefined || v === "" ? 0 : Math.trunc(Number(v)));
const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
// Python wrote UTC-naive text ("2025-01-01 10:00:00.123456"), ISO text with an offset, or (PostgreSQL) Date.
const instant = (v: unknown, field: string): Date => (v instanceof Date ? v : parseInstant(String(v), field));

/** A Python `accounting_entries` row as our usage record (cost to nano-dollars; stored values kept as they are). */
export function usageFromPython(row: SourceRow): NewUsageRecord {
  const record: Record<string, unknown> = {};
  for (const column of USAGE_RECORD_COLUMNS) record[column.field] = pythonValue(column, row);
  return record as unknown as NewUsageRecord;
}

/** One column of a Python row; columns the original did not have read as their defaults (0 or null). */
function pythonValue(column: UsageRecordColumn, row: SourceRow): unknown {
  const value = row[column.name];
  switch (column.original ? column.kind : `added ${column.kind}`) {
    case "instant":
      return instant(value, column.name);
    case "model":
      return String(row.model ?? row.model_name);
    case "tokens":
      return int(value);
    case "nanos":
      // The original kept the cost in USD, as `cost`.
      return usdToNanos(Number(row.cost ?? 0));
    case "seconds":
      return Number(value ?? 0);
    case "name":
    case "costSource":
      return text(value);
    case "added tokens":
    case "added seconds":
      return 0;
    case "added nanos":
      return 0n;
    case "added flag":
      return false;
    default:
      return null;
  }
}

/** A Python `usage_limits` row as our limit, or null when it holds values we do not know. */
export function limitFromPython(row: SourceRow): NewUsageLimit | null {
  const scope = String(row.scope);
  const limitType = String(row.limit_type);
  const intervalUnit = String(row.interval_unit);
  const intervalValue = int(row.interval_value);
  if (!(LIMIT_SCOPES as readonly string[]).includes(scope) || !(LIMIT_TYPES as readonly string[]).includes(limitType)) return null;
  if (!(INTERVAL_UNITS as readonly string[]).includes(intervalUnit) || intervalValue < 1) return null;
  return {
    scope: scope as NewUsageLimit["scope"],
    limitType: limitType as NewUsageLimit["limitType"],
    maxValue: Number(row.max_value),
    intervalUnit: intervalUnit as NewUsageLimit["intervalUnit"],
    intervalValue,
    model: text(row.model),
    username: text(row.username),
    callerName: text(row.caller_name),
    projectName: text(row.project_name),
  };
}

/** A Python `audit_log_entries` row as our audit entry. */
export function auditFromPython(row: SourceRow): NewAuditEntry {
  return {
    timestamp: instant(row.timestamp, "timestamp"),
    appName: String(row.app_name),
    userName: String(row.user_name),
    model: String(row.model),
    promptText: text(row.prompt_text),
    responseText: text(row.response_text),
    remoteCompletionId: text(row.remote_completion_id),
    project: text(row.project),
    logType: String(row.log_type),
    session: text(row.session),
  };
}

/** A Python `quota_rejections` row as ours. */
export function rejectionFromPython(row: SourceRow): NewQuotaRejection {
  return { createdAt: instant(row.created_at, "created_at"), session: String(row.session), message: String(row.rejection_message) };
}

/** A Python `users` row as ours, keeping enabled state and timestamps. */
export function userFromPython(row: SourceRow): NewUser {
  const createdAt = row.created_at == null ? undefined : instant(row.created_at, "created_at");
  return {
    userName: String(row.user_name),
    ouName: text(row.ou_name),
    email: text(row.email),
    enabled: row.enabled === null || row.enabled === undefined ? true : Boolean(Number(row.enabled)),
    ...(createdAt && { createdAt }),
    ...(row.last_enabled_at != null && { lastEnabledAt: instant(row.last_enabled_at, "last_enabled_at") }),
    lastDisabledAt: row.last_disabled_at == null ? null : instant(row.last_disabled_at, "last_disabled_at"),
  };
}
