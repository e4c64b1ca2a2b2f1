import type { GuardedOutcome, GuardedStep, NewUsageRecord, QuotaUsage, StoredAlert, UsageQuery } from "@llm-accounting/core";
import { tagPairs } from "../shared/tag-rows.js";
import { sqliteTime } from "./batch-encoding.js";
import type { SqliteAlerts } from "./sqlite-alerts.js";
import type { SqliteQuotaBuckets } from "./sqlite-quota-buckets.js";
import { insertEntry, reservationParams, SQL } from "./sqlite-statements.js";
import type { StatementCache } from "./statement-cache.js";

/**
 * Quota checks of the SQLite store: sums from the quota buckets in one snapshot, and the guarded
 * write (check and write in one BEGIN IMMEDIATE transaction), its reservations and rejections.
 */
export class SqliteQuotas {
  readonly #statements: StatementCache;
  readonly #buckets: SqliteQuotaBuckets;
  readonly #alerts: SqliteAlerts;

  constructor(statements: StatementCache, buckets: SqliteQuotaBuckets, alerts: SqliteAlerts) {
    this.#statements = statements;
    this.#buckets = buckets;
    this.#alerts = alerts;
  }

  /** The limits version counter, bumped by the limit tables' triggers. */
  limitsVersion(): number {
    return this.#statements.get(SQL.limitsVersion, "value").get() as number;
  }

  /** Usage of each query's window at `now`. */
  sums(queries: readonly UsageQuery[], now: Date): QuotaUsage[] {
    const buckets = this.#buckets;
    // Outside the read transaction: registering a new filter writes (once per filter, ever).
    const ids = buckets.filterIds(queries);
    // A read transaction, so buckets, edge rows and reservations come from one snapshot.
    return this.#statements.db.transaction(() => buckets.sums(queries, ids, now))();
  }

  /** The contract's `guardedWrite`: sums, decision and write as one step for every process on this file. */
  guardedWrite<T>(clock: () => Date, build: (now: Date, limitsVersion: number) => GuardedStep<T>): GuardedOutcome<T> {
    const statements = this.#statements;
    const buckets = this.#buckets;
    const alerts = this.#alerts;
    // BEGIN IMMEDIATE takes SQLite's single write lock before summing; nothing here awaits.
    let raised: StoredAlert[] = [];
    const step = statements.db.transaction((): GuardedOutcome<T> => {
      const now = clock();
      const { queries, decide } = build(now, this.limitsVersion());
      const decision = decide(buckets.sums(queries, buckets.filterIds(queries), now));
      const write = decision.write;
      switch (write.kind) {
        case "usage": {
          const id = insertEntry(statements, write.record);
          const rules = alerts.rulesFor([write.record]);
          if (rules.length > 0) raised = alerts.raise(rules, [write.record], now, id);
          return { result: decision.result, id };
        }
        case "reservation": {
          statements.get(SQL.sweepReservations).run(sqliteTime(now));
          const id = Number(statements.get(SQL.insertReservation).run(reservationParams(write.reservation)).lastInsertRowid);
          // Its tags, so TAG limits count it; they go with it (ON DELETE CASCADE).
          const insertTag = statements.get(SQL.insertReservationTag);
          for (const [key, value] of tagPairs(write.reservation.tags)) insertTag.run(id, key, value);
          return { result: decision.result, id };
        }
        case "rejection":
          return { result: decision.result, id: Number(statements.get(SQL.insertRejection).run(sqliteTime(write.rejection.createdAt), write.rejection.session, write.rejection.message).lastInsertRowid) };
        case "none":
          return { result: decision.result, id: null };
      }
    });
    const outcome = step.immediate();
    alerts.emit(raised);
    return outcome;
  }

  /** Replaces a reservation by the usage it reserved for, in one transaction; returns the record's id. */
  commitReservation(reservationId: number, record: NewUsageRecord): number {
    const statements = this.#statements;
    const alerts = this.#alerts;
    const commit = statements.db.transaction(() => {
      statements.get(SQL.deleteReservation).run(reservationId);
      const id = insertEntry(statements, record);
      const rules = alerts.rulesFor([record]);
      return { id, raised: rules.length > 0 ? alerts.raise(rules, [record], new Date(), id) : [] };
    });
    const { id, raised } = commit.immediate();
    alerts.emit(raised);
    return id;
  }

  /** Drops a reservation; false when it was gone already. */
  cancelReservation(reservationId: number): boolean {
    return this.#statements.get(SQL.deleteReservation).run(reservationId).changes > 0;
  }
}
