import type Database from "better-sqlite3";
import type { NewUsageRecord } from "@llm-accounting/core";
import { StatementCache } from "./statement-cache.js";
import { BATCH_BUCKETS_SQL } from "./bucket-sql.js";
import type { BatchLayout } from "./batch-layout.js";
import { columnsToBind, encodeBatch, maskedColumns, rowParams, type EncodedBatch } from "./batch-encoding.js";

/** Rows per multi-row INSERT (25 rows of 19 columns: well under SQLite's 32,766 parameters). */
const ROWS_PER_INSERT = 25;
/** How many column subsets get a statement of their own; rows needing another one bind every column. */
const MAX_SUBSETS = 64;
const HOURLY_KEY = ["hour", "model"] as const;
const DAILY_KEY = ["day", "username", "username_null", "project", "project_null", "caller_name", "caller_name_null"] as const;

/** The rollup upserts of a layout: from summed parameters, or (`select`) from the batch's rows in SQL. */
function rollupSql(layout: BatchLayout) {
  // Summed columns, then the execution time the rollups keep in whole microseconds.
  const summed = [...layout.rollupColumns, "execution_micros"];
  // The trigger's expressions, summed over the rows of one batch (the rows with ids above a mark).
  const sums = [...layout.rollupColumns.map((c) => `SUM("${c}")`), `SUM(CAST(round("${layout.secondsColumn}" * 1000000) AS INTEGER))`].join(", ");
  const upsert = (table: string, key: readonly string[], select?: string): string => {
    const columns = [...key, "requests", ...summed];
    const updates = ["requests", ...summed].map((c) => `"${c}" = "${c}" + excluded."${c}"`).join(", ");
    const source = select ?? `VALUES (${columns.map(() => "?").join(", ")})`;
    return `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) ${source} ON CONFLICT (${key.map((c) => `"${c}"`).join(", ")}) DO UPDATE SET ${updates}`;
  };
  return {
    hourly: upsert("usage_hourly", HOURLY_KEY),
    daily: upsert("usage_daily_dims", DAILY_KEY),
    sumHourly: upsert("usage_hourly", HOURLY_KEY, `SELECT substr("timestamp", 1, 13) || ':00:00.000+00:00', "model", COUNT(*), ${sums} FROM "accounting_entries" WHERE "id" > ? GROUP BY 1, 2`),
    sumDaily: upsert(
      "usage_daily_dims",
      DAILY_KEY,
      `SELECT substr("timestamp", 1, 10) || 'T00:00:00.000+00:00', COALESCE("username", ''), ("username" IS NULL), COALESCE("project", ''), ("project" IS NULL), COALESCE("caller_name", ''), ("caller_name" IS NULL), COUNT(*), ${sums} FROM "accounting_entries" WHERE "id" > ? GROUP BY 1, 2, 3, 4, 5, 6, 7`,
    ),
  };
}

/** A multi-row INSERT binding some of the columns, with its parameter array. */
interface SubsetInsert {
  readonly statement: Database.Statement;
  readonly sources: Int32Array;
  readonly params: unknown[];
}

/** Which batch committed: the writer thread's key in store_counters and the batch's sequence number. */
export interface BatchReceipt {
  readonly key: string;
  readonly id: number;
}

/**
 * Writes batches of usage rows in one transaction each, with the rollup tables (usage_hourly,
 * usage_daily_dims, quota_buckets) updated once per batch from sums taken in JavaScript instead of by a trigger
 * per row: the per-row triggers cost more than the inserts themselves. The 'rollups_deferred'
 * flag row that switches them off exists only inside this transaction, which holds the write
 * lock, so no other writer ever sees it.
 */
export class SqliteBatchWriter {
  readonly #layout: BatchLayout;
  readonly #statements: StatementCache;
  readonly #insertOne: Database.Statement;
  readonly #insertTag: Database.Statement;
  readonly #subsets = new Map<number, SubsetInsert>();
  readonly #deferRollups: Database.Statement;
  readonly #resumeRollups: Database.Statement;
  readonly #upsertHourly: Database.Statement;
  readonly #upsertDaily: Database.Statement;
  readonly #lastId: Database.Statement;
  readonly #sumHourly: Database.Statement;
  readonly #sumDaily: Database.Statement;
  readonly #hasQuotaFilters: Database.Statement;
  readonly #sumQuotaBuckets: Database.Statement;
  readonly #one: unknown[];
  readonly #write: Database.Transaction<(batch: EncodedBatch, receipt?: BatchReceipt) => void>;
  readonly #writeReceipt: Database.Statement;

  /**
   * `connection`: the store's statements (inline batches), or a connection of its own (the writer
   * thread). `layout`: where batches keep the usage columns (`batchLayout` of core's table).
   */
  constructor(connection: StatementCache | Database.Database, layout: BatchLayout) {
    const statements = connection instanceof StatementCache ? connection : new StatementCache(connection);
    this.#layout = layout;
    this.#statements = statements;
    const rollups = rollupSql(layout);
    this.#insertTag = statements.get("INSERT INTO usage_tags (entry_id, key, value) VALUES (?, ?, ?)");
    this.#insertOne = statements.get(`INSERT INTO accounting_entries (${layout.columns.join(", ")}) VALUES (${layout.columns.map(() => "?").join(", ")})`);
    this.#one = new Array<unknown>(layout.columns.length);
    this.#deferRollups = statements.get("INSERT INTO store_counters (key, value) VALUES ('rollups_deferred', 1)");
    this.#resumeRollups = statements.get("DELETE FROM store_counters WHERE key = 'rollups_deferred'");
    this.#upsertHourly = statements.get(rollups.hourly);
    this.#upsertDaily = statements.get(rollups.daily);
    this.#lastId = statements.get('SELECT COALESCE(MAX("id"), 0) FROM "accounting_entries"', "exactValue");
    this.#sumHourly = statements.get(rollups.sumHourly);
    this.#sumDaily = statements.get(rollups.sumDaily);
    this.#hasQuotaFilters = statements.get("SELECT EXISTS (SELECT 1 FROM quota_filters)", "value");
    this.#sumQuotaBuckets = statements.get(BATCH_BUCKETS_SQL);
    this.#writeReceipt = statements.get("INSERT INTO store_counters (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    this.#write = statements.db.transaction((batch: EncodedBatch, receipt?: BatchReceipt) => {
      this.#writeAll(batch);
      if (receipt) this.#writeReceipt.run(receipt.key, receipt.id);
    });
  }

  /** Stores the records and their rollups atomically (BEGIN IMMEDIATE: waits for other writers up to the busy timeout). */
  write(records: readonly NewUsageRecord[]): void {
    if (records.length > 0) this.writeEncoded(encodeBatch(records, this.#layout).batch);
  }

  /**
   * Same as `write`, for a batch encoded by `encodeBatch` (possibly in another thread). A receipt
   * is stored in the same transaction (store_counters[key] = id), so whether the batch committed
   * can be read back if the writer dies before it can tell.
   */
  writeEncoded(batch: EncodedBatch, receipt?: BatchReceipt): void {
    if (batch.count > 0) this.#write.immediate(batch, receipt);
  }

  #writeAll(batch: EncodedBatch): void {
    this.#deferRollups.run();
    // Under the write lock every new row gets an id above the current largest.
    const quotaBuckets = Boolean(this.#hasQuotaFilters.get());
    const before = batch.rollups && !quotaBuckets ? 0n : (this.#lastId.get() as bigint);
    const layout = this.#layout;
    const largeNanos = new Map(batch.largeNanos);
    let next = 0;
    let last: number | bigint = 0;
    for (; next + ROWS_PER_INSERT <= batch.count; next += ROWS_PER_INSERT) {
      const insert = this.#subset(columnsToBind(batch, layout, next, next + ROWS_PER_INSERT));
      const { sources, params } = insert;
      for (let i = 0; i < ROWS_PER_INSERT; i++) rowParams(batch, layout, largeNanos, sources, next + i, params, i * sources.length);
      last = insert.statement.run(params).lastInsertRowid;
    }
    for (; next < batch.count; next++) {
      rowParams(batch, layout, largeNanos, layout.sources, next, this.#one, 0);
      last = this.#insertOne.run(this.#one).lastInsertRowid;
    }
    // The write lock is held, so the batch's rows took consecutive ids ending at the last one.
    const first = BigInt(last) - BigInt(batch.count) + 1n;
    for (const [row, key, value] of batch.tags) this.#insertTag.run(first + BigInt(row), key, value);
    if (batch.rollups) {
      for (const row of batch.rollups.hourly) this.#upsertHourly.run(row);
      for (const row of batch.rollups.daily) this.#upsertDaily.run(row);
    } else {
      this.#sumHourly.run(before);
      this.#sumDaily.run(before);
    }
    // The quota buckets of limits' filters, summed over the new rows in one set-based statement.
    if (quotaBuckets) this.#sumQuotaBuckets.run(before);
    this.#resumeRollups.run();
  }

  /** The multi-row insert of the columns `mask` picks (see `columnsToBind`), prepared on first use. */
  #subset(mask: number): SubsetInsert {
    const known = this.#subsets.get(mask);
    if (known) return known;
    const every = 2 ** this.#layout.columns.length - 1;
    if (this.#subsets.size >= MAX_SUBSETS && mask !== every) return this.#subset(every);
    const picked = maskedColumns(this.#layout, mask);
    const sources = Int32Array.from(picked, (j) => this.#layout.sources[j]!);
    const row = `(${picked.map(() => "?").join(", ")})`;
    const statement = this.#statements.get(`INSERT INTO accounting_entries (${picked.map((j) => this.#layout.columns[j]).join(", ")}) VALUES ${Array(ROWS_PER_INSERT).fill(row).join(", ")}`);
    const insert = { statement, sources, params: new Array<unknown>(ROWS_PER_INSERT * sources.length) };
    this.#subsets.set(mask, insert);
    return insert;
  }
}
