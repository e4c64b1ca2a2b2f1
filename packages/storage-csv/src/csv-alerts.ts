import {
  AlertListeners,
  alertRulesOf,
  raiseAlertsSync,
  rulesMatching,
  type AlertDeliveryOutcome,
  type AlertFilter,
  type AlertListener,
  type AlertRule,
  type FilterableUsage,
  type NewAlert,
  type StoredAlert,
} from "@llm-accounting/core";
import type { AlertRow } from "./codecs.js";
import { LIMITS_VERSION, type CsvTables } from "./csv-tables.js";
import { quotaSums } from "./quota-sums.js";

/** The CSV store's alerts: raising them in a write step, listing them, and their delivery leases. */
export class CsvAlerts {
  readonly #tables: CsvTables;
  readonly #listeners = new AlertListeners();
  #rules: { version: number; rules: AlertRule[] } | null = null;

  constructor(tables: CsvTables) {
    this.#tables = tables;
  }

  /** The limits with alert thresholds whose filter counts the rows; read again when the limits version moved. Call under the lock. */
  #rulesFor(rows: readonly FilterableUsage[]): AlertRule[] {
    const version = this.#tables.counter(LIMITS_VERSION);
    if (this.#rules?.version !== version) this.#rules = { version, rules: alertRulesOf(this.#tables.limits.rows) };
    return rulesMatching(this.#rules.rules, rows);
  }

  /** Raises the alerts the rows just appended made due, in the same locked step. */
  raise(rows: readonly FilterableUsage[], now: Date): StoredAlert[] {
    const rules = this.#rulesFor(rows);
    if (rules.length === 0) return [];
    const alerts = this.#tables.alerts;
    return raiseAlertsSync(rules, rows, now, {
      sums: (queries, at) => quotaSums(this.#tables.usage.rows, this.#tables.reservations.rows, queries, at),
      isRaised: (c) =>
        alerts.rows.some(
          (a) => a.limitId === c.rule.limit.id && a.threshold === c.threshold && (a.windowKey === c.window.key || (c.window.quietSince !== null && a.createdAt.getTime() >= c.window.quietSince.getTime())),
        ),
      insert: (alert: NewAlert) => {
        // Under the directory lock nobody else can add the same key between the check and the append.
        if (alerts.rows.some((a) => a.limitId === alert.limitId && a.threshold === alert.threshold && a.windowKey === alert.windowKey)) return null;
        const row = { ...alert, deliveryState: "pending" as const, attempts: 0, nextAttemptAt: null, leaseUntil: null, deliveredAt: null, lastError: null };
        return publicAlert(alerts.append([row])[0]!);
      },
    });
  }

  /** Tells the listeners about alerts raised by a step that has ended. */
  emit(raised: readonly StoredAlert[]): void {
    this.#listeners.emit(raised);
  }

  /** Hears the alerts this store object raises. */
  onRaised(listener: AlertListener): () => void {
    return this.#listeners.add(listener);
  }

  /** Alerts, newest first. */
  list(filter: AlertFilter): Promise<StoredAlert[]> {
    return this.#tables.locked(() =>
      this.#tables.alerts.rows
        .filter((a) => filter.state === undefined || a.deliveryState === filter.state)
        .sort((a, b) => b.id - a.id)
        .slice(0, filter.limit ?? 100)
        .map(publicAlert),
    );
  }

  /** Leases due pending alerts for delivery, under the directory lock. */
  claimDeliveries(now: Date, leaseMs: number, max: number): Promise<StoredAlert[]> {
    const alerts = this.#tables.alerts;
    return this.#tables.write(() => {
      const t = now.getTime();
      const due = (a: AlertRow) => a.deliveryState === "pending" && (a.nextAttemptAt === null || a.nextAttemptAt.getTime() <= t) && (a.leaseUntil === null || a.leaseUntil.getTime() <= t);
      const picked = new Set(alerts.rows.filter(due).slice(0, max).map((a) => a.id));
      if (picked.size === 0) return [];
      const leaseUntil = new Date(t + leaseMs);
      const rows = alerts.rows.map((a) => (picked.has(a.id) ? { ...a, leaseUntil, attempts: a.attempts + 1 } : a));
      alerts.rewrite(rows);
      return rows.filter((a) => picked.has(a.id)).map(publicAlert);
    });
  }

  /** Records how a delivery attempt ended. */
  async finishDelivery(id: number, outcome: AlertDeliveryOutcome): Promise<void> {
    const alerts = this.#tables.alerts;
    await this.#tables.write(() => {
      const ended = (a: AlertRow): AlertRow =>
        outcome.state === "delivered"
          ? { ...a, deliveryState: "delivered", leaseUntil: null, nextAttemptAt: null, deliveredAt: outcome.at, lastError: null }
          : outcome.state === "pending"
            ? { ...a, deliveryState: "pending", leaseUntil: null, nextAttemptAt: outcome.nextAttemptAt, deliveredAt: null, lastError: outcome.error.slice(0, 2000) }
            : { ...a, deliveryState: "failed", leaseUntil: null, nextAttemptAt: null, deliveredAt: null, lastError: outcome.error.slice(0, 2000) };
      if (alerts.rows.some((a) => a.id === id)) alerts.rewrite(alerts.rows.map((a) => (a.id === id ? ended(a) : a)));
    });
  }
}

/** An alert row without the store's internal lease. */
function publicAlert(row: AlertRow): StoredAlert {
  const { leaseUntil: _lease, ...alert } = row;
  return alert;
}
