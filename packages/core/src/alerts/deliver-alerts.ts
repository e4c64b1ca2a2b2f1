import type { AlertDeliveryOutcome, AlertStore, StoredAlert } from "../store/alert-records.js";

/** Sends one alert somewhere (a webhook, a command, a callback); throws when it was not delivered. */
export type AlertTarget = (alert: StoredAlert) => Promise<void>;

/** How `deliverAlerts` retries and leases. */
export interface AlertDeliveryOptions {
  /** The clock (inject one in tests). */
  readonly now?: () => Date;
  /** How long a claimed alert is held before another deliverer may take it (ms). Default 60,000. */
  readonly leaseMs?: number;
  /** Attempts before an alert is marked `failed`. Default 8. */
  readonly maxAttempts?: number;
  /** Delay before the first retry (ms), doubled after each failure up to `maxRetryDelayMs`. Default 30,000. */
  readonly retryDelayMs?: number;
  /** Longest delay between attempts (ms). Default 3,600,000. */
  readonly maxRetryDelayMs?: number;
  /** Most alerts taken per pass. Default 50. */
  readonly batchSize?: number;
}

/** What one delivery pass did. */
export interface AlertDeliverySummary {
  readonly delivered: number;
  /** Failed this time, to be tried again (see each alert's `nextAttemptAt`). */
  readonly retrying: number;
  /** Failed for the last time. */
  readonly failed: number;
  /** The earliest time a retry is due, or null when none is. */
  readonly nextAttemptAt: Date | null;
}

/** Delay before the next attempt after `attempts` failed ones: exponential, capped. */
export function retryDelayMs(attempts: number, firstDelayMs = 30_000, maxDelayMs = 3_600_000): number {
  return Math.min(maxDelayMs, firstDelayMs * 2 ** Math.max(0, attempts - 1));
}

/** How an attempt that threw ends: retried later with backoff, or failed for good after the last attempt. */
export function failureOutcome(alert: StoredAlert, error: unknown, now: Date, options: AlertDeliveryOptions = {}): AlertDeliveryOutcome {
  const message = error instanceof Error ? error.message : String(error);
  if (alert.attempts >= (options.maxAttempts ?? 8)) return { state: "failed", error: message };
  return { state: "pending", nextAttemptAt: new Date(now.getTime() + retryDelayMs(alert.attempts, options.retryDelayMs, options.maxRetryDelayMs)), error: message };
}

/**
 * One delivery pass: leases the due pending alerts (safe across processes), sends each to every
 * target in order and records the outcome. An alert counts as delivered once every target took
 * it; a failure retries all targets later, so delivery is at least once: a crash after sending
 * and before recording, or a failure of a later target, sends it again (with the same id and
 * idempotency key).
 */
export async function deliverAlerts(store: AlertStore, targets: readonly AlertTarget[], options: AlertDeliveryOptions = {}): Promise<AlertDeliverySummary> {
  const clock = options.now ?? (() => new Date());
  let delivered = 0;
  let retrying = 0;
  let failed = 0;
  let nextAttemptAt: Date | null = null;
  if (targets.length === 0) return { delivered, retrying, failed, nextAttemptAt };
  const claimed = await store.claimAlertDeliveries(clock(), options.leaseMs ?? 60_000, options.batchSize ?? 50);
  for (const alert of claimed) {
    let outcome: AlertDeliveryOutcome;
    try {
      for (const target of targets) await target(alert);
      outcome = { state: "delivered", at: clock() };
      delivered++;
    } catch (error) {
      outcome = failureOutcome(alert, error, clock(), options);
      if (outcome.state === "pending") {
        retrying++;
        if (nextAttemptAt === null || outcome.nextAttemptAt < nextAttemptAt) nextAttemptAt = outcome.nextAttemptAt;
      } else failed++;
    }
    await store.finishAlertDelivery(alert.id, outcome);
  }
  return { delivered, retrying, failed, nextAttemptAt };
}
