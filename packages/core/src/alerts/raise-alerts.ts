import type { FilterableUsage } from "../quota/applicable.js";
import type { QuotaUsage, UsageQuery } from "../store/quota-usage.js";
import { alertCandidates, alertsFromCandidates, candidateRateQueries, planAlertCheck, rulesMatching, type AlertCandidate, type AlertRule } from "./alert-crossings.js";
import type { NewAlert, StoredAlert } from "../store/alert-records.js";
import type { AlertWindow } from "./alert-window.js";
import { usageAmount } from "../quota/limit-forecast.js";

/** What a store lends the alert check, all inside its write transaction (synchronous: SQLite). */
export interface SyncAlertIo {
  /** Quota sums, as `sumQuotaUsage` computes them, seeing the rows just written. */
  sums(queries: readonly UsageQuery[], now: Date): QuotaUsage[];
  /** Whether an alert already covers the candidate: its key, or (rolling) the same threshold since `window.quietSince`. */
  isRaised(candidate: AlertCandidate): boolean;
  /** INSERT ... ON CONFLICT DO NOTHING; the stored alert, or null when another writer raised it first. */
  insert(alert: NewAlert): StoredAlert | null;
  /** Hears each rule's exact window usage (in the limit's unit), e.g. to skip checks that cannot cross. */
  checked?(rule: AlertRule, used: number, window: AlertWindow): void;
}

/** The asynchronous form of `SyncAlertIo` (PostgreSQL, CSV). */
export interface AlertIo {
  sums(queries: readonly UsageQuery[], now: Date): Promise<QuotaUsage[]>;
  isRaised(candidate: AlertCandidate): Promise<boolean>;
  insert(alert: NewAlert): Promise<StoredAlert | null>;
}

/**
 * Raises the alerts that writing `rows` made due, inside the caller's write transaction: sums
 * the windows of the rules the rows match (one sum call), keeps the thresholds reached that no
 * alert covers yet, and only for those sums the forecast rates and inserts. Returns the alerts
 * this call stored.
 */
export function raiseAlertsSync(rules: readonly AlertRule[], rows: readonly FilterableUsage[], now: Date, io: SyncAlertIo): StoredAlert[] {
  const matching = rulesMatching(rules, rows);
  if (matching.length === 0) return [];
  const plan = planAlertCheck(matching, now);
  const usage = io.sums(plan.queries, now);
  if (io.checked) plan.rules.forEach((rule, i) => io.checked!(rule, usageAmount(rule.limit, usage[i]!), plan.windows[i]!));
  const fresh = alertCandidates(plan, usage).filter((c) => !io.isRaised(c));
  if (fresh.length === 0) return [];
  const alerts = alertsFromCandidates(fresh, io.sums(candidateRateQueries(fresh, now), now), now);
  return alerts.map((alert) => io.insert(alert)).filter((a): a is StoredAlert => a !== null);
}

/** `raiseAlertsSync` for stores whose transactions are asynchronous. */
export async function raiseAlerts(rules: readonly AlertRule[], rows: readonly FilterableUsage[], now: Date, io: AlertIo): Promise<StoredAlert[]> {
  const matching = rulesMatching(rules, rows);
  if (matching.length === 0) return [];
  const plan = planAlertCheck(matching, now);
  const fresh: AlertCandidate[] = [];
  for (const c of alertCandidates(plan, await io.sums(plan.queries, now))) if (!(await io.isRaised(c))) fresh.push(c);
  if (fresh.length === 0) return [];
  const alerts = alertsFromCandidates(fresh, await io.sums(candidateRateQueries(fresh, now), now), now);
  const stored: StoredAlert[] = [];
  for (const alert of alerts) {
    const row = await io.insert(alert);
    if (row) stored.push(row);
  }
  return stored;
}
