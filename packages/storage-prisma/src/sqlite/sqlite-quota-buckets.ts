import type Database from "better-sqlite3";
import type { QuotaUsage, UsageFilter, UsageQuery } from "@llm-accounting/core";
import { backfillSql, bucketFollowUps, bucketSumsSql, filterColumns, filterKey, foldBucketRows, type BucketSqlDialect } from "../shared/quota-buckets.js";
import { runSync } from "../shared/quota-sql.js";
import { sqliteTime } from "./batch-encoding.js";
import { bucketOf } from "./bucket-sql.js";

/** The bucketed statements' SQLite details: instants are ISO text, every placeholder untyped. */
export const SQLITE_BUCKET_DIALECT: BucketSqlDialect = {
  param: () => "?",
  integer: (expression) => expression,
  time: sqliteTime,
  readTime: (value) => (typeof value === "string" ? new Date(value) : null),
  amount: (value) => value,
  typed: (placeholder) => placeholder,
  nullTime: "NULL",
};

/**
 * Quota sums from `quota_buckets` on one SQLite connection: filter ids (cached: filters are never
 * deleted), their registration with back-filled buckets, and the sums themselves. Statements are
 * prepared once per shape (the number of queries fixes it).
 */
export class SqliteQuotaBuckets {
  readonly #db: Database.Database;
  readonly #writable: boolean;
  readonly #ids = new Map<string, number>();
  readonly #find: Database.Statement;
  readonly #statements = new Map<string, Database.Statement>();

  constructor(db: Database.Database, writable: boolean) {
    this.#db = db;
    this.#writable = writable;
    this.#find = db.prepare("SELECT id FROM quota_filters WHERE key = ?").pluck().safeIntegers(false);
  }

  /**
   * The filter id of each query, registering (and back-filling) filters not seen yet when the
   * store is writable; null for a filter without buckets (its rows are then summed directly).
   * Registration writes: call inside a write transaction, or this opens one.
   */
  filterIds(queries: readonly UsageQuery[]): (number | null)[] {
    return queries.map((query) => this.filterId(query.filter));
  }

  /** The id of one filter (registered on first use when writable), or null. */
  filterId(filter: UsageFilter): number | null {
    const key = filterKey(filter);
    const known = this.#ids.get(key);
    if (known !== undefined) return known;
    let id = (this.#find.get(key) as number | undefined) ?? null;
    if (id === null && this.#writable) id = this.#register(key, filter);
    if (id !== null) this.#ids.set(key, id);
    return id;
  }

  #register(key: string, filter: UsageFilter): number {
    // IMMEDIATE (or a savepoint inside the caller's write transaction): the back-fill and the
    // filter row commit together, and no row can be written in between without being counted.
    const register = this.#db.transaction(() => {
      const existing = this.#find.get(key) as number | undefined;
      if (existing !== undefined) return existing;
      const c = filterColumns(filter);
      const id = Number(
        this.#db
          .prepare("INSERT INTO quota_filters (key, model, username, caller_name, project_mode, project) VALUES (?, ?, ?, ?, ?, ?)")
          .run(key, c.model, c.username, c.callerName, c.projectMode, c.project).lastInsertRowid,
      );
      for (const statement of backfillSql(SQLITE_BUCKET_DIALECT, id, bucketOf)) this.#db.prepare(statement.sql).run(statement.params);
      return id;
    });
    return this.#db.inTransaction ? register() : register.immediate();
  }

  /** Sums every query from buckets, edge rows and open reservations; call inside a transaction for one snapshot. */
  sums(queries: readonly UsageQuery[], filterIds: readonly (number | null)[], now: Date): QuotaUsage[] {
    if (queries.length === 0) return [];
    const { sql, params } = bucketSumsSql(SQLITE_BUCKET_DIALECT, queries, filterIds, now);
    const rows = this.#prepared(sql).all(params) as Record<string, unknown>[];
    const usage = foldBucketRows(SQLITE_BUCKET_DIALECT, queries.length, rows);
    return runSync(bucketFollowUps(SQLITE_BUCKET_DIALECT, queries, filterIds, usage, now), (statement) => this.#prepared(statement.sql).all(statement.params) as Record<string, unknown>[]);
  }

  #prepared(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql).safeIntegers(true);
      // Shapes are few (a handful of limit sets); a bound keeps a pathological caller from growing it.
      if (this.#statements.size > 500) this.#statements.clear();
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}
