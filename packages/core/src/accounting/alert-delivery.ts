import type { AlertStore, StoredAlert } from "../store/alert-records.js";
import { deliverAlerts, type AlertDeliveryOptions, type AlertDeliverySummary, type AlertTarget } from "../alerts/deliver-alerts.js";

/**
 * The facade's delivery loop: a pass after every write that raised alerts (one at a time; a
 * raise during a pass runs another after it), and a timer for the next retry. The timer does not
 * keep the process alive; `close` waits for the pass in flight.
 */
export class AlertDelivery {
  readonly #store: AlertStore;
  readonly #targets: readonly AlertTarget[];
  readonly #options: AlertDeliveryOptions;
  #running: Promise<AlertDeliverySummary | null> | null = null;
  #again = false;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;

  constructor(store: AlertStore, targets: readonly AlertTarget[], options: AlertDeliveryOptions = {}) {
    this.#store = store;
    this.#targets = targets;
    this.#options = options;
  }

  /** Asks for a pass soon (after the one running, if any). */
  request(): void {
    if (this.#closed) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#pass().finally(() => {
      this.#running = null;
      if (this.#again) {
        this.#again = false;
        this.request();
      }
    });
  }

  /** Runs one pass, after the automatic one in flight (if any), and returns what it did. */
  async deliverNow(): Promise<AlertDeliverySummary> {
    while (this.#running) await this.#running;
    return this.#deliver();
  }

  #deliver(): Promise<AlertDeliverySummary> {
    return deliverAlerts(this.#store, this.#targets, this.#options);
  }

  async #pass(): Promise<AlertDeliverySummary | null> {
    try {
      const summary = await this.#deliver();
      if (summary.nextAttemptAt) this.#retryAt(summary.nextAttemptAt);
      return summary;
    } catch (error) {
      process.emitWarning(`alert delivery failed: ${(error as Error).message}`, "AlertDeliveryWarning");
      return null;
    }
  }

  #retryAt(at: Date): void {
    if (this.#closed || this.#timer) return;
    const now = (this.#options.now ?? (() => new Date()))();
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.request();
    }, Math.max(0, at.getTime() - now.getTime()));
    this.#timer.unref?.();
  }

  /** Stops retry timers and waits for the pass in flight (its alerts are recorded before the store closes). */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    while (this.#running) await this.#running;
  }

  /** Delivery may start again after `close` (the facade was reopened). */
  reopen(): void {
    this.#closed = false;
  }
}

/** A callback as a delivery target: a throw or rejection counts as not delivered. */
export const callbackTarget = (onAlert: (alert: StoredAlert) => void | Promise<void>): AlertTarget => async (alert) => {
  await onAlert(alert);
};
