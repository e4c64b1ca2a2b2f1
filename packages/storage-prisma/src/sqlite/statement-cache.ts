import type Database from "better-sqlite3";

const MAX_PER_SHAPE = 500;

/**
 * How a statement hands back what it reads: `exact` rows with integers as bigint (sums, costs),
 * `number` rows with integers as numbers (also for writes); `value` and `exactValue` the first
 * column of the row alone, as a number or as a bigint.
 */
export type ReadShape = "exact" | "number" | "value" | "exactValue";

/**
 * The one way the SQLite store gets a prepared statement: prepared on first use per SQL text and
 * shape, then reused for the life of the connection (better-sqlite3 re-prepares nothing itself,
 * and preparing costs more than many of the statements cost to run).
 */
export class StatementCache {
  readonly db: Database.Database;
  readonly #byShape: Record<ReadShape, Map<string, Database.Statement>> = { exact: new Map(), number: new Map(), value: new Map(), exactValue: new Map() };

  constructor(db: Database.Database) {
    this.db = db;
  }

  /** The statement for `sql`, prepared once for this shape. */
  get(sql: string, shape: ReadShape = "number"): Database.Statement {
    return this.#byShape[shape].get(sql) ?? this.#prepare(sql, shape, sql);
  }

  /**
   * The statement `build` writes for `key` (a name no SQL text has, such as "daily:project"),
   * built and prepared on first use: for queries whose text is costlier to build than to find.
   */
  built(key: string, shape: ReadShape, build: () => string): Database.Statement {
    return this.#byShape[shape].get(key) ?? this.#prepare(build(), shape, key);
  }

  #prepare(sql: string, shape: ReadShape, key: string): Database.Statement {
    const statement = this.db.prepare(sql);
    if (shape === "value" || shape === "exactValue") statement.pluck();
    statement.safeIntegers(shape === "exact" || shape === "exactValue");
    const cache = this.#byShape[shape];
    // Shapes are few (filters, limit sets); the bound keeps a pathological caller from growing it.
    if (cache.size >= MAX_PER_SHAPE) cache.clear();
    cache.set(key, statement);
    return statement;
  }
}
