import {
  alertRulesOf,
  raiseAlertsSync,
  type AlertDeliveryOutcome,
  type AlertFilter,
  type FilterableUsage,
  type StoredAlert,
} from "@llm-accounting/core";
import type { AlertRow, MemoryData } from "./memory-data.js";
import { quotaSums } from "./memory-totals.js";

// Delivery errors are stored for people to read, not in full: a receiver can answer megabytes.
const MAX_ERROR_LENGTH = 2000;

/**
 * Raises the alerts that the rows just written made due. Call it in the same synchronous step as
 * the write: alerts are part of the write's transaction, so a crash (or another writer) can never
 * see the rows without the alerts they raised, and no threshold is alerted twice per window.
 */
export function raiseAlertsFor(data: MemoryData, rows: readonly FilterableUsage[], now: Date): StoredAlert[] {
  // A SQL store caches the rules and re-reads them when the limits version moves; reading an
  // array costs nothing here.
  const rules = alertRulesOf(data.limits);
  if (rules.length === 0) return [];
  return raiseAlertsSync(rules, rows, now, {
    sums: (queries, at) => quotaSums(data.usage, data.reservations, queries, at),
    // A rolling window has no key that changes with time: it counts as alerted while an alert of
    // the same threshold was raised since the usage last fell below it (`quietSince`).
    isRaised: (c) =>
      data.alerts.some(
        (a) => a.limitId === c.rule.limit.id && a.threshold === c.threshold && (a.windowKey === c.window.key || (c.window.quietSince !== null && a.createdAt.getTime() >= c.window.quietSince.getTime())),
      ),
    insert: (alert) => {
      if (data.alerts.some((a) => a.limitId === alert.limitId && a.threshold === alert.threshold && a.windowKey === alert.windowKey)) return null;
      const row: AlertRow = { ...alert, id: data.nextId("alerts"), deliveryState: "pending", attempts: 0, nextAttemptAt: null, deliveredAt: null, lastError: null, leaseUntil: null };
      data.alerts.push(row);
      return publicAlert(row);
    },
  });
}

/** Alerts newest first, at most `filter.limit` (100 by default). */
export function listAlerts(data: MemoryData, filter: AlertFilter): StoredAlert[] {
  return data.alerts
    .filter((a) => filter.state === undefined || a.deliveryState === filter.state)
    .reverse()
    .slice(0, filter.limit ?? 100)
    .map(publicAlert);
}

/**
 * Leases up to `max` due alerts (pending, next attempt reached, no live lease), oldest first,
 * counting an attempt. The lease is what keeps two deliverers off one alert; its expiry is what
 * lets another deliverer take over from one that crashed.
 */
export function claimAlerts(data: MemoryData, now: Date, leaseMs: number, max: number): StoredAlert[] {
  const t = now.getTime();
  const due = (a: AlertRow) => a.deliveryState === "pending" && (a.nextAttemptAt === null || a.nextAttemptAt.getTime() <= t) && (a.leaseUntil === null || a.leaseUntil <= t);
  const picked = new Set(data.alerts.filter(due).slice(0, max).map((a) => a.id));
  data.alerts = data.alerts.map((a) => (picked.has(a.id) ? { ...a, leaseUntil: t + leaseMs, attempts: a.attempts + 1 } : a));
  return data.alerts.filter((a) => picked.has(a.id)).map(publicAlert);
}

/** Records how a delivery attempt ended and releases its lease; an unknown id changes nothing. */
export function finishAlert(data: MemoryData, id: number, outcome: AlertDeliveryOutcome): void {
  const ended = (a: AlertRow): AlertRow => {
    const base = { ...a, leaseUntil: null };
    switch (outcome.state) {
      case "delivered":
        return { ...base, deliveryState: "delivered", nextAttemptAt: null, deliveredAt: outcome.at, lastError: null };
      case "pending":
        return { ...base, deliveryState: "pending", nextAttemptAt: outcome.nextAttemptAt, deliveredAt: null, lastError: outcome.error.slice(0, MAX_ERROR_LENGTH) };
      case "failed":
        return { ...base, deliveryState: "failed", nextAttemptAt: null, deliveredAt: null, lastError: outcome.error.slice(0, MAX_ERROR_LENGTH) };
    }
  };
  data.alerts = data.alerts.map((a) => (a.id === id ? ended(a) : a));
}

function publicAlert(row: AlertRow): StoredAlert {
  const { leaseUntil: _lease, ...alert } = row;
  return alert;
}
