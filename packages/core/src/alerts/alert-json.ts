import type { StoredAlert } from "../store/alert-records.js";

/** An alert as webhooks and commands receive it: the same for every delivery attempt. */
export interface AlertPayload {
  readonly id: number;
  /** Stable across repeated deliveries of the same alert: receivers deduplicate by it. */
  readonly idempotencyKey: string;
  readonly limitId: number;
  readonly threshold: number;
  /** The threshold in percent of the limit (80 for 0.8). */
  readonly thresholdPercent: number;
  readonly scope: string;
  readonly limitType: string;
  readonly maxValue: number;
  readonly interval: string;
  readonly window: { readonly key: string; readonly start: string; readonly end: string | null };
  readonly usage: number;
  readonly projectedUsage: number;
  readonly createdAt: string;
}

/** An alert with its delivery state, as `alerts list --format json` prints it. */
export interface AlertJson extends AlertPayload {
  readonly delivery: { readonly state: string; readonly attempts: number; readonly nextAttemptAt: string | null; readonly deliveredAt: string | null; readonly lastError: string | null };
}

/** The idempotency key of an alert (`llm-accounting-alert-<id>`). */
export const alertIdempotencyKey = (alert: Pick<StoredAlert, "id">): string => `llm-accounting-alert-${alert.id}`;

/** An alert as delivered: JSON-ready (ISO-8601 dates, the threshold also in percent), without delivery state. */
export function alertPayload(alert: StoredAlert): AlertPayload {
  return {
    id: alert.id,
    idempotencyKey: alertIdempotencyKey(alert),
    limitId: alert.limitId,
    threshold: alert.threshold,
    thresholdPercent: Math.round(alert.threshold * 10_000) / 100,
    scope: alert.scope,
    limitType: alert.limitType,
    maxValue: alert.maxValue,
    interval: `${alert.intervalValue} ${alert.intervalUnit}`,
    window: { key: alert.windowKey, start: alert.windowStart.toISOString(), end: alert.windowEnd?.toISOString() ?? null },
    usage: alert.usage,
    projectedUsage: alert.projectedUsage,
    createdAt: alert.createdAt.toISOString(),
  };
}

/** An alert with its delivery state, JSON-ready. */
export function alertJson(alert: StoredAlert): AlertJson {
  return {
    ...alertPayload(alert),
    delivery: {
      state: alert.deliveryState,
      attempts: alert.attempts,
      nextAttemptAt: alert.nextAttemptAt?.toISOString() ?? null,
      deliveredAt: alert.deliveredAt?.toISOString() ?? null,
      lastError: alert.lastError,
    },
  };
}
