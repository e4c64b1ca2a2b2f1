import type pg from "pg";
import {
  AlertRulesCache,
  raiseAlerts,
  rulesMatching,
  type AlertDeliveryOutcome,
  type AlertFilter,
  type AlertListeners,
  type AlertRule,
  type FilterableUsage,
  type StoredAlert,
  type UsageLimit,
} from "@llm-accounting/core";
import { alertExistsSql, alertFromRow, claimAlertsSql, finishAlertSql, insertAlertSql, listAlertsSql, type AlertDialect } from "../shared/alert-sql.js";
import type { PgQuotaBuckets } from "./pg-quota-buckets.js";

type Queryable = Pick<pg.Pool | pg.PoolClient, "query">;

const DIALECT: AlertDialect = {
  param: (n) => `$${n}`,
  time: (date) => date,
  date: (value) => (value instanceof Date ? value : new Date(String(value))),
};

/** What the PostgreSQL store lends its alerts. */
export interface PgAlertSources {
  readonly pool: () => Promise<pg.Pool>;
  readonly buckets: PgQuotaBuckets;
  readonly limitsVersion: () => Promise<number>;
  readonly limits: () => Promise<UsageLimit[]>;
  readonly listeners: AlertListeners;
}

/**
 * Alerts of the PostgreSQL store: raised inside the write transaction, on its connection. Two
 * transactions that both see a threshold reached both try the INSERT; the unique key makes the
 * second wait for the first to commit and then insert nothing.
 */
export class PgAlerts {
  readonly #sources: PgAlertSources;
  readonly #rules = new AlertRulesCache();

  constructor(sources: PgAlertSources) {
    this.#sources = sources;
  }

  /** The rules the written rows could have crossed (none: the write needs no alert check). */
  async rulesFor(rows: readonly FilterableUsage[]): Promise<AlertRule[]> {
    return rulesMatching(await this.#rules.getAsync(Date.now(), this.#sources.limitsVersion, this.#sources.limits), rows);
  }

  /** This process changed a limit: read the rules again at the next write. */
  invalidate(): void {
    this.#rules.invalidate();
  }

  /** Raises what the rows made due; call on the transaction's client after writing them. */
  async raise(client: pg.PoolClient, rules: readonly AlertRule[], rows: readonly FilterableUsage[], now: Date): Promise<StoredAlert[]> {
    const { buckets } = this.#sources;
    const pool = await this.#sources.pool();
    return raiseAlerts(rules, rows, now, {
      sums: async (queries, at) => buckets.sums(client, queries, await buckets.filterIds(client, queries, { pool, inTransaction: client }), at),
      isRaised: async (c) => {
        const { sql, values } = alertExistsSql(DIALECT, c.rule.limit.id, c.threshold, c.window.key, c.window.quietSince);
        return ((await client.query(sql, values)).rowCount ?? 0) > 0;
      },
      insert: async (alert) => {
        const { sql, values } = insertAlertSql(DIALECT, alert);
        const row = (await client.query(sql, values)).rows[0] as Record<string, unknown> | undefined;
        return row ? alertFromRow(DIALECT, row) : null;
      },
    });
  }

  /** Tells the listeners, once the transaction that raised the alerts has committed. */
  emit(alerts: readonly StoredAlert[]): void {
    this.#sources.listeners.emit(alerts);
  }

  /** See `AlertStore.listAlerts`. */
  async list(db: Queryable, filter?: AlertFilter): Promise<StoredAlert[]> {
    const { sql, values } = listAlertsSql(DIALECT, filter);
    return (await db.query(sql, values)).rows.map((r) => alertFromRow(DIALECT, r as Record<string, unknown>));
  }

  /** See `AlertStore.claimAlertDeliveries`: one conditional UPDATE; rows another claimer is taking are skipped. */
  async claim(db: Queryable, now: Date, leaseMs: number, max: number): Promise<StoredAlert[]> {
    const { sql, values } = claimAlertsSql(DIALECT, now, leaseMs, max, true);
    return (await db.query(sql, values)).rows.map((r) => alertFromRow(DIALECT, r as Record<string, unknown>)).sort((a, b) => a.id - b.id);
  }

  /** See `AlertStore.finishAlertDelivery`. */
  async finish(db: Queryable, id: number, outcome: AlertDeliveryOutcome): Promise<void> {
    const { sql, values } = finishAlertSql(DIALECT, id, outcome);
    await db.query(sql, values);
  }
}
