import { USAGE_RECORD_COLUMNS, type AlertRule, type CostChange, type ImportBatch, type ImportCursor, type NewUsageRecord, type ProgressListener, type PurgeOptions } from "@llm-accounting/core";
import { sqliteTime } from "./batch-encoding.js";
import { SqliteBatchWriter } from "./batch-writer.js";
import { batchLayout } from "./batch-layout.js";
import { ROWS_PER_TRANSACTION, runBoundedTransactions } from "./bounded-transactions.js";
import type { SqliteAlerts } from "./sqlite-alerts.js";
import { auditParams, insertEntry, SQL } from "./sqlite-statements.js";
import type { StatementCache } from "./statement-cache.js";

/** Where batches written on the store's own connection keep the usage columns (the writer thread builds the same from the columns it is given). */
const USAGE_BATCH_LAYOUT = batchLayout(USAGE_RECORD_COLUMNS);

/** An alert check after a commit failed: said once per failure, never thrown into the write. */
function alertCheckFailed(error: unknown): void {
  process.emitWarning(`alert check failed (the next matching write retries it): ${(error as Error).message}`, "AlertCheckWarning");
}

/**
 * The writes of the SQLite store on its own connection: single records with their alerts,
 * batches written inline, imports, cost updates and purges.
 */
export class SqliteWrites {
  readonly #statements: StatementCache;
  readonly #alerts: SqliteAlerts;
  #batchWriter: SqliteBatchWriter | undefined;

  constructor(statements: StatementCache, alerts: SqliteAlerts) {
    this.#statements = statements;
    this.#alerts = alerts;
  }

  /** Stores one record and raises the alerts it crosses; returns its id. */
  insert(record: NewUsageRecord): number {
    const statements = this.#statements;
    const alerts = this.#alerts;
    const rules = alerts.rulesFor([record]);
    // No limit with thresholds counts this row: the write is the plain autocommit insert.
    if (rules.length === 0) return insertEntry(statements, record);
    // Far from every threshold (the usual case): the same autocommit insert, then a check
    // that nobody else wrote meanwhile; if somebody did, the exact check runs right after.
    if (alerts.cannotCross(rules, record, new Date())) {
      const id = insertEntry(statements, record);
      if (!alerts.confirm(rules, record, id)) this.#raiseAfterCommit(rules, [record]);
      return id;
    }
    const { id, raised } = statements.db
      .transaction(() => {
        const id = insertEntry(statements, record);
        return { id, raised: alerts.raise(rules, [record], new Date(), id) };
      })
      .immediate();
    alerts.emit(raised);
    return id;
  }

  /** Stores a batch on this connection, with its alerts in the same transaction. */
  insertBatch(records: readonly NewUsageRecord[]): void {
    this.#batchWriter ??= new SqliteBatchWriter(this.#statements, USAGE_BATCH_LAYOUT);
    const writer = this.#batchWriter;
    const alerts = this.#alerts;
    const rules = alerts.rulesFor(records);
    if (rules.length === 0) return writer.write(records);
    // Inline, the batch and its alerts are one transaction (the writer's own nests as a savepoint).
    alerts.emit(
      this.#statements.db
        .transaction(() => {
          writer.write(records);
          return alerts.raise(rules, records, new Date(), alerts.lastUsageId());
        })
        .immediate(),
    );
  }

  /** Raises a batch's alerts once another connection (the writer thread) has committed it: one check per batch. */
  raiseAfterBatch(records: readonly NewUsageRecord[]): void {
    const alerts = this.#alerts;
    const rules = alerts.rulesFor(records);
    if (rules.length === 0) return;
    try {
      // Far from every threshold: nothing to write, so no write lock to wait for beside the thread.
      if (alerts.batchCannotCross(rules, records, new Date())) return;
    } catch (error) {
      return alertCheckFailed(error);
    }
    this.#raiseAfterCommit(rules, records, alerts.lastUsageId.bind(alerts));
  }

  /**
   * The alert check of rows already committed, in a transaction of its own. It must not fail the
   * write (a caller would retry rows that are stored): a failure is a process warning, and the
   * next write that matches the limit raises what this one missed.
   */
  #raiseAfterCommit(rules: readonly AlertRule[], records: readonly NewUsageRecord[], lastId?: () => number): void {
    const alerts = this.#alerts;
    try {
      alerts.emit(this.#statements.db.transaction(() => alerts.raise(rules, records, new Date(), lastId?.())).immediate());
    } catch (error) {
      alertCheckFailed(error);
    }
  }

  /** Writes one import batch and its cursor in one transaction. */
  importRows(batch: ImportBatch, cursor: ImportCursor): void {
    const statements = this.#statements;
    const write = statements.db.transaction(() => {
      if (batch.kind === "usage") for (const row of batch.rows) insertEntry(statements, row);
      else if (batch.kind === "audit") for (const row of batch.rows) statements.get(SQL.insertAudit).run(auditParams(row));
      else for (const row of batch.rows) statements.get(SQL.insertRejection).run(sqliteTime(row.createdAt), row.session, row.message);
      statements.get(SQL.writeCounter).run(cursor.key, cursor.value);
    });
    write.immediate();
  }

  /** Sets the costs in transactions of a few thousand rows (the rollup triggers follow each row), pausing between them for other writers. */
  async updateCosts(changes: readonly CostChange[], onProgress?: ProgressListener): Promise<void> {
    const update = this.#statements.get(SQL.updateCost);
    let next = 0;
    const step = () => {
      const chunk = changes.slice(next, next + ROWS_PER_TRANSACTION);
      for (const change of chunk) update.run(change.costNanos, change.costSource, change.id);
      next += chunk.length;
      return chunk.length;
    };
    await runBoundedTransactions(this.#statements.db, step, onProgress && ((done) => onProgress(done, changes.length)));
  }

  /**
   * Deletes the matching rows that exist now, oldest id first, a few thousand per transaction; rows
   * added meanwhile have higher ids and stay. The rollup triggers subtract each deleted row.
   */
  async purge(options: PurgeOptions): Promise<number> {
    const statements = this.#statements;
    const lastId = Number(statements.get(SQL.lastEntryId, "value").get());
    const where = ["id <= ?"];
    const params: unknown[] = [lastId];
    if (options.before !== undefined) {
      where.push("timestamp < ?");
      params.push(sqliteTime(options.before));
    }
    if (options.project !== undefined) {
      where.push("project = ?");
      params.push(options.project);
    }
    const filter = where.join(" AND ");
    const total = options.onProgress ? Number(statements.get(`SELECT COUNT(*) FROM accounting_entries WHERE ${filter}`, "value").get(...params)) : 0;
    const deleteChunk = statements.get(`DELETE FROM accounting_entries WHERE id IN (SELECT id FROM accounting_entries WHERE ${filter} ORDER BY id LIMIT ?)`);
    const onProgress = options.onProgress;
    options.onProgress?.(0, total);
    return runBoundedTransactions(statements.db, () => deleteChunk.run(...params, ROWS_PER_TRANSACTION).changes, onProgress && ((done) => onProgress(done, Math.max(total, done))));
  }
}
