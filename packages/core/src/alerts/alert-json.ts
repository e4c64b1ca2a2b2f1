import type { StoredAlert } from "./alert-records.js";

/** An alert as JSON: what webhooks and commands receive and `alerts list --format json` prints. */
export interface AlertJson {
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
  readonly delivery: { readonly state: string; readonly attempts: number; readonly nextAttemptAt: string | null; readonly deliveredAt: string | null; readonly lastError: string | null };
}

/** The idempotency key of an alert (`llm-accounting-alert-<id>`). */
export const alertIdempotencyKey = (alert: Pick<StoredAlert, "id">): string => `llm-accounting-alert-${alert.id}`;

/** An alert as JSON-ready data (ISO-8601 dates, the threshold also in percent). */
export function alertJson(alert: StoredAlert): AlertJson {
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
    delivery: {
      state: alert.deliveryState,
      attempts: alert.attempts,
      nextAttemptAt: alert.nextAttemptAt?.toISOString() ?? null,
      deliveredAt: alert.deliveredAt?.toISOString() ?? null,
      lastError: alert.lastError,
    },
  };
}
