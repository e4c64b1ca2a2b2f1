import type { IntervalUnit, LimitType } from "./limit-records.js";


/** Where an alert's delivery stands: waiting (or retrying), done, or given up after the last attempt. */
export type AlertDeliveryState = "pending" | "delivered" | "failed";

/** A threshold crossing as the store receives it (written in the transaction of the usage that crossed it). */
export interface NewAlert {
  readonly limitId: number;
  /** The fraction of the limit's maximum that was crossed (0.8 = 80 %). */
  readonly threshold: number;
  /** The window the alert is about: unique with `limitId` and `threshold` (see `alertWindow`). */
  readonly windowKey: string;
  readonly windowStart: Date;
  /** End of a fixed window; null for a rolling one. */
  readonly windowEnd: Date | null;
  readonly limitType: LimitType;
  readonly maxValue: number;
  readonly intervalUnit: IntervalUnit;
  readonly intervalValue: number;
  /** Who the limit is about, for people reading the alert (e.g. `USER (user: alice)`). */
  readonly scope: string;
  /** Usage in the window when the threshold was crossed (USD for cost). */
  readonly usage: number;
  /** Usage projected at the window's end at the current burn rate (see `forecastUsage`). */
  readonly projectedUsage: number;
  readonly createdAt: Date;
}

/** A stored alert with the state of its delivery. */
export interface StoredAlert extends NewAlert {
  /** Unique and stable: receivers deduplicate repeated deliveries by it. */
  readonly id: number;
  readonly deliveryState: AlertDeliveryState;
  /** Delivery attempts started so far. */
  readonly attempts: number;
  /** Earliest time of the next attempt (pending alerts). */
  readonly nextAttemptAt: Date | null;
  readonly deliveredAt: Date | null;
  readonly lastError: string | null;
}

/** How one delivery attempt ended. */
export type AlertDeliveryOutcome =
  | { readonly state: "delivered"; readonly at: Date }
  | { readonly state: "pending"; readonly nextAttemptAt: Date; readonly error: string }
  | { readonly state: "failed"; readonly error: string };

/** Filters for listing alerts. */
export interface AlertFilter {
  /** At most this many, newest first (default 100). */
  readonly limit?: number;
  readonly state?: AlertDeliveryState;
}

/** Hears alerts raised by this process's writes, once they are committed. */
export type AlertListener = (alerts: readonly StoredAlert[]) => void;

/**
 * The alert part of the store contract. Alerts are raised by the store itself, inside the
 * transaction that writes usage (see docs/alerts.md); these methods read them and track delivery.
 */
export interface AlertStore {
  /** Alerts, newest first. */
  listAlerts(filter?: AlertFilter): Promise<StoredAlert[]>;
  /**
   * Takes up to `max` pending alerts due at `now` whose lease has lapsed, leasing them until
   * `now + leaseMs` and counting an attempt, atomically (a conditional update): two processes
   * never hold the same alert at once, and a crashed deliverer's lease runs out.
   */
  claimAlertDeliveries(now: Date, leaseMs: number, max: number): Promise<StoredAlert[]>;
  /** Records how an attempt ended and releases the lease. */
  finishAlertDelivery(id: number, outcome: AlertDeliveryOutcome): Promise<void>;
  /** Hears the alerts this store object raises; returns a function that stops listening. */
  onAlertsRaised(listener: AlertListener): () => void;
}
