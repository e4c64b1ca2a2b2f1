import { decodeTags, encodeTags, type UsageTags, alertThresholdsFromText, alertThresholdsText, type AlertDeliveryState, type AuditEntry, type CostSource, type ModelPrice, type IntervalUnit, type LimitScope, type LimitType, type QuotaRejection, type StoredAlert, type UsageLimit, type UsageRecord, type UserRecord, USAGE_RECORD_COLUMNS, type UsageColumn, type UsageRecordColumn } from "@llm-accounting/core";
import type { Field } from "./csv-format.js";
import type { TableCodec } from "./table-file.js";

const int = (v: Field, name: string): number => {
  if (v === null || !/^-?\d+$/.test(v)) throw new Error(`${name} is not an integer (${JSON.stringify(v)})`);
  return Number(v);
};
const big = (v: Field, name: string): bigint => {
  if (v === null || !/^-?\d+$/.test(v)) throw new Error(`${name} is not an integer (${JSON.stringify(v)})`);
  return BigInt(v);
};
const num = (v: Field, name: string): number => {
  const n = v === null ? Number.NaN : Number(v);
  if (v === null || v.trim() === "" || !Number.isFinite(n)) throw new Error(`${name} is not a number (${JSON.stringify(v)})`);
  return n;
};
const date = (v: Field, name: string): Date => {
  const d = v === null ? new Date(Number.NaN) : new Date(v);
  if (Number.isNaN(d.getTime())) throw new Error(`${name} is not a timestamp (${JSON.stringify(v)})`);
  return d;
};
const text = (v: Field, name: string): string => {
  if (v === null) throw new Error(`${name} is empty`);
  return v;
};
const optDate = (v: Field, name: string): Date | null => (v === null ? null : date(v, name));
const iso = (d: Date) => d.toISOString();
const optIso = (d: Date | null) => (d === null ? null : d.toISOString());

/** A stored quota reservation. */
export interface ReservationRow {
  id: number;
  createdAt: Date;
  expiresAt: Date;
  model: string;
  username: string | null;
  callerName: string | null;
  project: string | null;
  session: string | null;
  inputTokens: number;
  completionTokens: number;
  costNanos: bigint;
  /** The call's tags, so TAG limits count the reservation. */
  tags?: UsageTags;
}

/** A named counter (limits version, registry version, import cursors). */
export interface CounterRow {
  id: number;
  key: string;
  value: number;
}

// accounting_entries.csv: id, the original columns, those added before tags (0.4: a fixed fact of
// the format), tags, then every column added since in table order (a file written before one gets
// it, empty, when a writer opens the file; read as its default).
const ADDED_BEFORE_TAGS: readonly string[] = ["cache_write_tokens", "cost_source", "provider"];
const USAGE_COLUMNS_BEFORE_TAGS: readonly UsageRecordColumn[] = [...USAGE_RECORD_COLUMNS.filter((c) => c.original), ...USAGE_RECORD_COLUMNS.filter((c) => ADDED_BEFORE_TAGS.includes(c.name))];
const USAGE_COLUMNS_AFTER_TAGS: readonly UsageRecordColumn[] = USAGE_RECORD_COLUMNS.filter((c) => !c.original && !ADDED_BEFORE_TAGS.includes(c.name));

/** How one usage column is written to a field. */
function usageEncoder({ field, kind }: UsageRecordColumn): (r: UsageRecord) => Field {
  switch (kind) {
    case "instant":
      return (r) => iso(r[field] as Date);
    case "nanos":
      return (r) => (r[field] as bigint).toString();
    case "tokens":
    case "seconds":
      // Records built by hand against an older contract may lack a column added since.
      return (r) => String(r[field] ?? 0);
    case "flag":
      return (r) => (r[field] === true ? "1" : "0");
    default:
      return (r) => (r[field] as string | null | undefined) ?? null;
  }
}

/** How one usage column is read from a field (absent in files written before it was added). */
function usageDecoder({ name, kind, original }: UsageColumn): (v: Field | undefined) => unknown {
  const read = (v: Field): unknown => {
    switch (kind) {
      case "instant":
        return date(v, name);
      case "model":
        return text(v, name);
      case "tokens":
        return int(v, name);
      case "nanos":
        return big(v, name);
      case "seconds":
        return num(v, name);
      case "costSource":
        return costSource(v);
      case "name":
        return v;
      case "flag":
        return flag(v, name);
    }
  };
  if (original) return (v) => read(v!);
  const absent = kind === "tokens" || kind === "seconds" ? 0 : kind === "nanos" ? 0n : kind === "flag" ? false : null;
  return (v) => (v == null ? absent : read(v));
}

const USAGE_FILE_COLUMNS: readonly UsageRecordColumn[] = [...USAGE_COLUMNS_BEFORE_TAGS, ...USAGE_COLUMNS_AFTER_TAGS];
const USAGE_ENCODERS = USAGE_FILE_COLUMNS.map(usageEncoder);
const USAGE_DECODERS = USAGE_FILE_COLUMNS.map(usageDecoder);
const TAGS_AT = USAGE_COLUMNS_BEFORE_TAGS.length + 1;
/** Where the field of USAGE_FILE_COLUMNS[i] is in a line: after id, and past tags for the later ones. */
const FIELD_AT = USAGE_FILE_COLUMNS.map((_, i) => (i < USAGE_COLUMNS_BEFORE_TAGS.length ? i + 1 : i + 2));

/** `accounting_entries.csv`: id, the usage columns (see ADDED_BEFORE_TAGS), tags, the later usage columns. */
export const usageCodec: TableCodec<UsageRecord> = {
  columns: ["id", ...USAGE_COLUMNS_BEFORE_TAGS.map((c) => c.name), "tags", ...USAGE_COLUMNS_AFTER_TAGS.map((c) => c.name)],
  encode: (r) => {
    const fields = USAGE_ENCODERS.map((encode) => encode(r));
    return [String(r.id), ...fields.slice(0, USAGE_COLUMNS_BEFORE_TAGS.length), encodeTags(r.tags), ...fields.slice(USAGE_COLUMNS_BEFORE_TAGS.length)];
  },
  decode: (f) => {
    const record: Record<string, unknown> = { id: int(f[0]!, "id") };
    for (let i = 0; i < USAGE_DECODERS.length; i++) record[USAGE_FILE_COLUMNS[i]!.field] = USAGE_DECODERS[i]!(f[FIELD_AT[i]!]);
    // Added in 0.4: JSON, keys sorted; the key is left out for a row without tags (as the facade makes them).
    return { ...(record as unknown as UsageRecord), ...tagsField(f[TAGS_AT] ?? null) };
  },
};

function tagsField(v: Field): { tags?: UsageTags } {
  const tags = decodeTags(v);
  return tags ? { tags } : {};
}

// Written as 0 or 1; true and false (a file edited by hand or by a spreadsheet) read too.
function flag(v: Field, name: string): boolean {
  if (v === "1" || v === "true") return true;
  if (v === "0" || v === "false" || v === "") return false;
  throw new Error(`${name} is not 0, 1, true or false (${JSON.stringify(v)})`);
}

function costSource(v: Field): CostSource | null {
  if (v === null || v === "caller" || v === "price" || v === "unpriced" || v === "provider") return v;
  throw new Error(`cost_source is not caller, price, unpriced or provider (${JSON.stringify(v)})`);
}

const optBig = (v: Field, name: string): bigint | null => (v === null ? null : big(v, name));

/** `model_prices.csv`. */
export const priceCodec: TableCodec<ModelPrice> = {
  // Columns added later come last: older files get them (empty: no 1-hour rate, every tier) when a writer opens them.
  columns: ["id", "model", "provider", "effective_from", "input_nanos_per_mtok", "cache_read_nanos_per_mtok", "cache_write_nanos_per_mtok", "output_nanos_per_mtok", "note", "created_at", "cache_write_1h_nanos_per_mtok", "service_tier"],
  encode: (p) => [String(p.id), p.model, p.provider, iso(p.effectiveFrom), p.inputNanosPerMTok.toString(), p.cacheReadNanosPerMTok?.toString() ?? null, p.cacheWriteNanosPerMTok?.toString() ?? null, p.outputNanosPerMTok.toString(), p.note, iso(p.createdAt), p.cacheWrite1hNanosPerMTok?.toString() ?? null, p.serviceTier ?? null],
  decode: (f) => ({
    id: int(f[0]!, "id"),
    model: text(f[1]!, "model"),
    provider: f[2]!,
    effectiveFrom: date(f[3]!, "effective_from"),
    inputNanosPerMTok: big(f[4]!, "input_nanos_per_mtok"),
    cacheReadNanosPerMTok: optBig(f[5]!, "cache_read_nanos_per_mtok"),
    cacheWriteNanosPerMTok: optBig(f[6]!, "cache_write_nanos_per_mtok"),
    outputNanosPerMTok: big(f[7]!, "output_nanos_per_mtok"),
    note: f[8]!,
    createdAt: date(f[9]!, "created_at"),
    cacheWrite1hNanosPerMTok: optBig(f[10] ?? null, "cache_write_1h_nanos_per_mtok"),
    serviceTier: f[11] ?? null,
  }),
};

/** `usage_limits.csv`. */
export const limitCodec: TableCodec<UsageLimit> = {
  // alert_at, then tag_key and tag_value were added last: older files get the columns (empty) when a writer opens them.
  columns: ["id", "scope", "limit_type", "max_value", "interval_unit", "interval_value", "model", "username", "caller_name", "project_name", "created_at", "updated_at", "alert_at", "tag_key", "tag_value"],
  encode: (l) => [String(l.id), l.scope, l.limitType, String(l.maxValue), l.intervalUnit, String(l.intervalValue), l.model, l.username, l.callerName, l.projectName, iso(l.createdAt), iso(l.updatedAt), alertThresholdsText(l.alertAt), l.tag?.key ?? null, l.tag?.value ?? null],
  decode: (f) => ({
    id: int(f[0]!, "id"),
    scope: text(f[1]!, "scope") as LimitScope,
    limitType: text(f[2]!, "limit_type") as LimitType,
    maxValue: num(f[3]!, "max_value"),
    intervalUnit: text(f[4]!, "interval_unit") as IntervalUnit,
    intervalValue: int(f[5]!, "interval_value"),
    model: f[6]!,
    username: f[7]!,
    callerName: f[8]!,
    projectName: f[9]!,
    createdAt: date(f[10]!, "created_at"),
    updatedAt: date(f[11]!, "updated_at"),
    ...(f[12] ? { alertAt: alertThresholdsFromText(f[12]) } : {}),
    ...(f[13] && f[14] ? { tag: { key: f[13], value: f[14] } } : {}),
  }),
};

/** An alert as `alerts.csv` keeps it: the delivery lease is internal to the store. */
export type AlertRow = StoredAlert & { readonly leaseUntil: Date | null };

/** `alerts.csv`. */
export const alertCodec: TableCodec<AlertRow> = {
  columns: ["id", "limit_id", "threshold", "window_key", "window_start", "window_end", "limit_type", "max_value", "interval_unit", "interval_value", "scope", "usage", "projected_usage", "created_at", "delivery_state", "attempts", "next_attempt_at", "lease_until", "delivered_at", "last_error"],
  encode: (a) => [
    String(a.id), String(a.limitId), String(a.threshold), a.windowKey, iso(a.windowStart), optIso(a.windowEnd), a.limitType, String(a.maxValue), a.intervalUnit, String(a.intervalValue),
    a.scope, String(a.usage), String(a.projectedUsage), iso(a.createdAt), a.deliveryState, String(a.attempts), optIso(a.nextAttemptAt), optIso(a.leaseUntil), optIso(a.deliveredAt), a.lastError,
  ],
  decode: (f) => ({
    id: int(f[0]!, "id"),
    limitId: int(f[1]!, "limit_id"),
    threshold: num(f[2]!, "threshold"),
    windowKey: text(f[3]!, "window_key"),
    windowStart: date(f[4]!, "window_start"),
    windowEnd: optDate(f[5]!, "window_end"),
    limitType: text(f[6]!, "limit_type") as LimitType,
    maxValue: num(f[7]!, "max_value"),
    intervalUnit: text(f[8]!, "interval_unit") as IntervalUnit,
    intervalValue: int(f[9]!, "interval_value"),
    scope: text(f[10]!, "scope"),
    usage: num(f[11]!, "usage"),
    projectedUsage: num(f[12]!, "projected_usage"),
    createdAt: date(f[13]!, "created_at"),
    deliveryState: text(f[14]!, "delivery_state") as AlertDeliveryState,
    attempts: int(f[15]!, "attempts"),
    nextAttemptAt: optDate(f[16]!, "next_attempt_at"),
    leaseUntil: optDate(f[17]!, "lease_until"),
    deliveredAt: optDate(f[18]!, "delivered_at"),
    lastError: f[19] ?? null,
  }),
};

/** `quota_reservations.csv`. */
export const reservationCodec: TableCodec<ReservationRow> = {
  // tags was added last: older files get the column (empty) when a writer opens them.
  columns: ["id", "created_at", "expires_at", "model", "username", "caller_name", "project", "session", "input_tokens", "completion_tokens", "cost_nanos", "tags"],
  encode: (r) => [String(r.id), iso(r.createdAt), iso(r.expiresAt), r.model, r.username, r.callerName, r.project, r.session, String(r.inputTokens), String(r.completionTokens), r.costNanos.toString(), encodeTags(r.tags)],
  decode: (f) => ({
    id: int(f[0]!, "id"),
    createdAt: date(f[1]!, "created_at"),
    expiresAt: date(f[2]!, "expires_at"),
    model: text(f[3]!, "model"),
    username: f[4]!,
    callerName: f[5]!,
    project: f[6]!,
    session: f[7]!,
    inputTokens: int(f[8]!, "input_tokens"),
    completionTokens: int(f[9]!, "completion_tokens"),
    costNanos: big(f[10]!, "cost_nanos"),
    ...tagsField(f[11] ?? null),
  }),
};

/** `quota_rejections.csv`. */
export const rejectionCodec: TableCodec<QuotaRejection> = {
  columns: ["id", "created_at", "session", "rejection_message"],
  encode: (r) => [String(r.id), iso(r.createdAt), r.session, r.message],
  decode: (f) => ({ id: int(f[0]!, "id"), createdAt: date(f[1]!, "created_at"), session: text(f[2]!, "session"), message: text(f[3]!, "rejection_message") }),
};

/** `audit_log_entries.csv`. */
export const auditCodec: TableCodec<AuditEntry> = {
  columns: ["id", "timestamp", "app_name", "user_name", "model", "prompt_text", "response_text", "remote_completion_id", "project", "log_type", "session"],
  encode: (e) => [String(e.id), iso(e.timestamp), e.appName, e.userName, e.model, e.promptText, e.responseText, e.remoteCompletionId, e.project, e.logType, e.session],
  decode: (f) => ({
    id: int(f[0]!, "id"),
    timestamp: date(f[1]!, "timestamp"),
    appName: text(f[2]!, "app_name"),
    userName: text(f[3]!, "user_name"),
    model: text(f[4]!, "model"),
    promptText: f[5]!,
    responseText: f[6]!,
    remoteCompletionId: f[7]!,
    project: f[8]!,
    logType: text(f[9]!, "log_type"),
    session: f[10]!,
  }),
};

/** `projects.csv`. */
export const projectCodec: TableCodec<{ id: number; name: string }> = {
  columns: ["id", "name"],
  encode: (p) => [String(p.id), p.name],
  decode: (f) => ({ id: int(f[0]!, "id"), name: text(f[1]!, "name") }),
};

/** `users.csv`. */
export const userCodec: TableCodec<UserRecord> = {
  columns: ["id", "user_name", "ou_name", "email", "created_at", "last_enabled_at", "last_disabled_at", "enabled"],
  encode: (u) => [String(u.id), u.userName, u.ouName, u.email, iso(u.createdAt), iso(u.lastEnabledAt), optIso(u.lastDisabledAt), u.enabled ? "1" : "0"],
  decode: (f) => ({
    id: int(f[0]!, "id"),
    userName: text(f[1]!, "user_name"),
    ouName: f[2]!,
    email: f[3]!,
    createdAt: date(f[4]!, "created_at"),
    lastEnabledAt: date(f[5]!, "last_enabled_at"),
    lastDisabledAt: optDate(f[6]!, "last_disabled_at"),
    enabled: int(f[7]!, "enabled") === 1,
  }),
};
/** `store_counters.csv`. */
export const counterCodec: TableCodec<CounterRow> = {
  columns: ["id", "key", "value"],
  encode: (c) => [String(c.id), c.key, String(c.value)],
  decode: (f) => ({ id: int(f[0]!, "id"), key: text(f[1]!, "key"), value: int(f[2]!, "value") }),
};
