import type { AlertDeliveryOutcome, AlertDeliveryState, AlertFilter, IntervalUnit, LimitType, NewAlert, StoredAlert } from "@llm-accounting/core";

/** How a dialect writes parameters and instants (SQLite: `?` and ISO text; PostgreSQL: `$n` and Date). */
export interface AlertDialect {
  /** The n-th parameter (1-based). */
  readonly param: (n: number) => string;
  /** An instant as the driver binds it. */
  readonly time: (date: Date) => unknown;
  /** An instant as the driver returns it. */
  readonly date: (value: unknown) => Date;
}

const INSERT_COLUMNS = [
  "limit_id", "threshold", "window_key", "window_start", "window_end", "limit_type", "max_value", "interval_unit",
  "interval_value", "scope", "usage", "projected_usage", "created_at", "delivery_state", "attempts", "next_attempt_at",
] as const;

const ALERT_COLUMNS = `id, ${INSERT_COLUMNS.join(", ")}, delivered_at, last_error`;

const params = (d: AlertDialect, count: number, from = 1): string => Array.from({ length: count }, (_, i) => d.param(from + i)).join(", ");

/** INSERT of one alert that does nothing when its (limit, threshold, window) key exists; returns the row it stored. */
export function insertAlertSql(d: AlertDialect, alert: NewAlert): { sql: string; values: unknown[] } {
  const values = [
    alert.limitId, alert.threshold, alert.windowKey, d.time(alert.windowStart), alert.windowEnd && d.time(alert.windowEnd), alert.limitType,
    alert.maxValue, alert.intervalUnit, alert.intervalValue, alert.scope, alert.usage, alert.projectedUsage, d.time(alert.createdAt),
    // No next-attempt time: a new alert is due at once, whatever a deliverer's clock says.
    "pending", 0, null,
  ];
  const sql = `INSERT INTO alerts (${INSERT_COLUMNS.join(", ")}) VALUES (${params(d, values.length)}) ON CONFLICT (limit_id, threshold, window_key) DO NOTHING RETURNING ${ALERT_COLUMNS}`;
  return { sql, values };
}

/**
 * Whether an alert covers a candidate: same key, or (rolling windows, `quietSince` given) the
 * same limit and threshold raised since then.
 */
export function alertExistsSql(d: AlertDialect, limitId: number, threshold: number, windowKey: string, quietSince: Date | null): { sql: string; values: unknown[] } {
  const recent = quietSince === null ? "" : ` OR created_at >= ${d.param(4)}`;
  return {
    sql: `SELECT 1 AS found FROM alerts WHERE limit_id = ${d.param(1)} AND threshold = ${d.param(2)} AND (window_key = ${d.param(3)}${recent}) LIMIT 1`,
    values: quietSince === null ? [limitId, threshold, windowKey] : [limitId, threshold, windowKey, d.time(quietSince)],
  };
}

/** Alerts newest first, optionally of one delivery state. */
export function listAlertsSql(d: AlertDialect, filter: AlertFilter = {}): { sql: string; values: unknown[] } {
  const values: unknown[] = [];
  const where = filter.state === undefined ? "" : ` WHERE delivery_state = ${d.param(values.push(filter.state))}`;
  values.push(filter.limit ?? 100);
  return { sql: `SELECT ${ALERT_COLUMNS} FROM alerts${where} ORDER BY id DESC LIMIT ${d.param(values.length)}`, values };
}

/**
 * Leases up to `max` due pending alerts in one conditional UPDATE: a row another deliverer holds
 * (lease not yet lapsed) is not matched, so no two processes hold one alert at once.
 */
export function claimAlertsSql(d: AlertDialect, now: Date, leaseMs: number, max: number, skipLocked: boolean): { sql: string; values: unknown[] } {
  const due = `delivery_state = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ${d.param(1)}) AND (lease_until IS NULL OR lease_until <= ${d.param(1)})`;
  const pick = `SELECT id FROM alerts WHERE ${due} ORDER BY id LIMIT ${d.param(3)}${skipLocked ? " FOR UPDATE SKIP LOCKED" : ""}`;
  return {
    // The pick is a CTE so it runs once (a subquery under IN may be re-run, and with SKIP LOCKED pick other rows).
    sql: `WITH picked AS (${pick}) UPDATE alerts SET lease_until = ${d.param(2)}, attempts = attempts + 1 WHERE id IN (SELECT id FROM picked) AND ${due} RETURNING ${ALERT_COLUMNS}`,
    values: [d.time(now), d.time(new Date(now.getTime() + leaseMs)), max],
  };
}

/** Records how a delivery attempt ended and drops the lease. */
export function finishAlertSql(d: AlertDialect, id: number, outcome: AlertDeliveryOutcome): { sql: string; values: unknown[] } {
  const set = `delivery_state = ${d.param(2)}, lease_until = NULL, next_attempt_at = ${d.param(3)}, delivered_at = ${d.param(4)}, last_error = ${d.param(5)}`;
  const values =
    outcome.state === "delivered"
      ? [id, "delivered", null, d.time(outcome.at), null]
      : outcome.state === "pending"
        ? [id, "pending", d.time(outcome.nextAttemptAt), null, outcome.error.slice(0, 2000)]
        : [id, "failed", null, null, outcome.error.slice(0, 2000)];
  return { sql: `UPDATE alerts SET ${set} WHERE id = ${d.param(1)}`, values };
}

const optionalDate = (d: AlertDialect, value: unknown): Date | null => (value === null || value === undefined ? null : d.date(value));

/** An `alerts` row read with plain SQL, as a stored alert. */
export function alertFromRow(d: AlertDialect, r: Record<string, unknown>): StoredAlert {
  return {
    id: Number(r.id),
    limitId: Number(r.limit_id),
    threshold: Number(r.threshold),
    windowKey: String(r.window_key),
    windowStart: d.date(r.window_start),
    windowEnd: optionalDate(d, r.window_end),
    limitType: r.limit_type as LimitType,
    maxValue: Number(r.max_value),
    intervalUnit: r.interval_unit as IntervalUnit,
    intervalValue: Number(r.interval_value),
    scope: String(r.scope),
    usage: Number(r.usage),
    projectedUsage: Number(r.projected_usage),
    createdAt: d.date(r.created_at),
    deliveryState: r.delivery_state as AlertDeliveryState,
    attempts: Number(r.attempts),
    nextAttemptAt: optionalDate(d, r.next_attempt_at),
    deliveredAt: optionalDate(d, r.delivered_at),
    lastError: (r.last_error as string | null) ?? null,
  };
}
