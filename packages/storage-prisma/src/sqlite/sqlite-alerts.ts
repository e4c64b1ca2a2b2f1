import type Database from "better-sqlite3";
import {
  AlertListeners,
  AlertRulesCache,
  raiseAlertsSync,
  rulesMatching,
  type AlertDeliveryOutcome,
  type AlertFilter,
  type AlertRule,
  type FilterableUsage,
  type StoredAlert,
  type UsageLimit,
} from "@llm-accounting/core";
import { alertExistsSql, alertFromRow, claimAlertsSql, finishAlertSql, insertAlertSql, listAlertsSql, type AlertDialect } from "../shared/alert-sql.js";
import { sqliteTime } from "./batch-encoding.js";
import type { SqliteQuotaBuckets } from "./sqlite-quota-buckets.js";

/** Named parameters: the same value may be used twice in one statement. */
const namedParams = (values: readonly unknown[]): Record<string, unknown> => Object.fromEntries(values.map((v, i) => [`p${i + 1}`, v]));

/** What the SQLite store lends its alerts: the connection, the quota sums and the limits. */
export interface SqliteAlertSources {
  readonly db: Database.Database;
  readonly buckets: SqliteQuotaBuckets;
  readonly limitsVersion: () => number;
  readonly limits: () => UsageLimit[];
  readonly date: (value: unknown) => Date;
  /** Kept by the store, so listeners added before opening (or across a reopen) still hear. */
  readonly listeners: AlertListeners;
}

/**
 * Alerts of the SQLite store: raised synchronously inside the write transaction that stored the
 * usage, read and leased for delivery with plain SQL on the same connection.
 */
export class SqliteAlerts {
  readonly #sources: SqliteAlertSources;
  readonly #dialect: AlertDialect;
  readonly #rules = new AlertRulesCache();
  readonly #statements = new Map<string, Database.Statement>();

  constructor(sources: SqliteAlertSources) {
    this.#sources = sources;
    this.#dialect = { param: (n) => `@p${n}`, time: sqliteTime, date: sources.date };
  }

  #run(sql: string, values: readonly unknown[]): Record<string, unknown>[] {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#sources.db.prepare(sql).safeIntegers(false);
      this.#statements.set(sql, statement);
    }
    return statement.reader ? (statement.all(namedParams(values)) as Record<string, unknown>[]) : (statement.run(namedParams(values)), []);
  }

  /** The rules the written rows could have crossed (none: the write needs no alert check). */
  rulesFor(rows: readonly FilterableUsage[]): AlertRule[] {
    return rulesMatching(this.#rules.get(Date.now(), this.#sources.limitsVersion, this.#sources.limits), rows);
  }

  /** This process changed a limit: read the rules again at the next write. */
  invalidate(): void {
    this.#rules.invalidate();
  }

  /** Raises what the rows made due; call inside the write transaction, after the rows are written. */
  raise(rules: readonly AlertRule[], rows: readonly FilterableUsage[], now: Date): StoredAlert[] {
    const { buckets } = this.#sources;
    return raiseAlertsSync(rules, rows, now, {
      sums: (queries, at) => buckets.sums(queries, buckets.filterIds(queries), at),
      isRaised: (c) => {
        const { sql, values } = alertExistsSql(this.#dialect, c.rule.limit.id, c.threshold, c.window.key, c.window.quietSince);
        return this.#run(sql, values).length > 0;
      },
      insert: (alert) => {
        const { sql, values } = insertAlertSql(this.#dialect, alert);
        const row = this.#run(sql, values)[0];
        return row ? alertFromRow(this.#dialect, row) : null;
      },
    });
  }

  /** Tells the listeners, once the transaction that raised the alerts has committed. */
  emit(alerts: readonly StoredAlert[]): void {
    this.#sources.listeners.emit(alerts);
  }

  /** See `AlertStore.listAlerts`. */
  list(filter?: AlertFilter): StoredAlert[] {
    const { sql, values } = listAlertsSql(this.#dialect, filter);
    return this.#run(sql, values).map((r) => alertFromRow(this.#dialect, r));
  }

  /** See `AlertStore.claimAlertDeliveries`: one UPDATE, atomic under SQLite's write lock. */
  claim(now: Date, leaseMs: number, max: number): StoredAlert[] {
    const { sql, values } = claimAlertsSql(this.#dialect, now, leaseMs, max, false);
    return this.#run(sql, values).map((r) => alertFromRow(this.#dialect, r)).sort((a, b) => a.id - b.id);
  }

  /** See `AlertStore.finishAlertDelivery`. */
  finish(id: number, outcome: AlertDeliveryOutcome): void {
    const { sql, values } = finishAlertSql(this.#dialect, id, outcome);
    this.#run(sql, values);
  }
}
