import type Database from "better-sqlite3";
import type { NewUsageRecord } from "@llm-accounting/core";
import { ROLLUP_SUMMED, USAGE_COLUMNS } from "./writer-columns.js";
import { StatementCache } from "./statement-cache.js";
import { BATCH_BUCKETS_SQL } from "./bucket-sql.js";
import { encodeBatch, LEAN_COLUMNS, leanRowParams, leanRows, rowParams, type EncodedBatch } from "./batch-encoding.js";

/** Rows per multi-row INSERT (19 columns: well under SQLite's 32,766 parameters). */
const ROWS_PER_INSERT = 25;
const WIDTH = USAGE_COLUMNS.length;

// Summed columns, then the execution time the rollups keep in whole microseconds.
const SUMMED = [...ROLLUP_SUMMED, "execution_micros"] as const;
const HOURLY_KEY = ["hour", "model"] as const;
const DAILY_KEY = ["day", "username", "username_null", "project", "project_null", "caller_name", "caller_name_null"] as const;

// The trigger's expressions, summed over the rows of one batch (the rows with ids above a mark).
const SUMS_SQL = [...ROLLUP_SUMMED.map((c) => `SUM("${c}")`), `SUM(CAST(round("execution_time" * 1000000) AS INTEGER))`].join(", ");
const HOURLY_SELECT = `SELECT substr("timestamp", 1, 13) || ':00:00.000+00:00', "model", COUNT(*), ${SUMS_SQL} FROM "accounting_entries" WHERE "id" > ? GROUP BY 1, 2`;
const DAILY_SELECT = `SELECT substr("timestamp", 1, 10) || 'T00:00:00.000+00:00', COALESCE("username", ''), ("username" IS NULL), COALESCE("project", ''), ("project" IS NULL), COALESCE("caller_name", ''), ("caller_name" IS NULL), COUNT(*), ${SUMS_SQL} FROM "accounting_entries" WHERE "id" > ? GROUP BY 1, 2, 3, 4, 5, 6, 7`;

function upsertSql(table: string, key: readonly string[], select?: string): string {
  const columns = [...key, "requests", ...SUMMED];
  const updates = ["requests", ...SUMMED].map((c) => `"${c}" = "${c}" + excluded."${c}"`).join(", ");
  const source = select ?? `VALUES (${columns.map(() => "?").join(", ")})`;
  return `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) ${source} ON CONFLICT (${key.map((c) => `"${c}"`).join(", ")}) DO UPDATE SET ${updates}`;
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
  readonly #insertOne: Database.Statement;
  readonly #insertTag: Database.Statement;
  readonly #insertMany: Database.Statement;
  readonly #insertManyLean: Database.Statement;
  readonly #deferRollups: Database.Statement;
  readonly #resumeRollups: Database.Statement;
  readonly #upsertHourly: Database.Statement;
  readonly #upsertDaily: Database.Statement;
  readonly #lastId: Database.Statement;
  readonly #sumHourly: Database.Statement;
  readonly #sumDaily: Database.Statement;
  readonly #hasQuotaFilters: Database.Statement;
  readonly #sumQuotaBuckets: Database.Statement;
  readonly #params = new Array<unknown>(ROWS_PER_INSERT * WIDTH);
  readonly #leanParams = new Array<unknown>(ROWS_PER_INSERT * LEAN_COLUMNS.length);
  readonly #one = new Array<unknown>(WIDTH);
  readonly #write: Database.Transaction<(batch: EncodedBatch, receipt?: BatchReceipt) => void>;
  readonly #writeReceipt: Database.Statement;

  /** `connection`: the store's statements (inline batches), or a connection of its own (the writer thread). */
  constructor(connection: StatementCache | Database.Database) {
    const statements = connection instanceof StatementCache ? connection : new StatementCache(connection);
    const row = `(${USAGE_COLUMNS.map(() => "?").join(", ")})`;
    const columns = USAGE_COLUMNS.join(", ");
    this.#insertTag = statements.get("INSERT INTO usage_tags (entry_id, key, value) VALUES (?, ?, ?)");
    this.#insertOne = statements.get(`INSERT INTO accounting_entries (${columns}) VALUES ${row}`);
    this.#insertMany = statements.get(`INSERT INTO accounting_entries (${columns}) VALUES ${Array(ROWS_PER_INSERT).fill(row).join(", ")}`);
    // Most calls leave 8 columns at their defaults; not binding them makes an insert ~15% cheaper.
    const leanRow = `(${LEAN_COLUMNS.map(() => "?").join(", ")})`;
    this.#insertManyLean = statements.get(`INSERT INTO accounting_entries (${LEAN_COLUMNS.join(", ")}) VALUES ${Array(ROWS_PER_INSERT).fill(leanRow).join(", ")}`);
    this.#deferRollups = statements.get("INSERT INTO store_counters (key, value) VALUES ('rollups_deferred', 1)");
    this.#resumeRollups = statements.get("DELETE FROM store_counters WHERE key = 'rollups_deferred'");
    this.#upsertHourly = statements.get(upsertSql("usage_hourly", HOURLY_KEY));
    this.#upsertDaily = statements.get(upsertSql("usage_daily_dims", DAILY_KEY));
    this.#lastId = statements.get('SELECT COALESCE(MAX("id"), 0) FROM "accounting_entries"', "exactValue");
    this.#sumHourly = statements.get(upsertSql("usage_hourly", HOURLY_KEY, HOURLY_SELECT));
    this.#sumDaily = statements.get(upsertSql("usage_daily_dims", DAILY_KEY, DAILY_SELECT));
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
    if (records.length > 0) this.writeEncoded(encodeBatch(records).batch);
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
    const largeCosts = new Map(batch.largeCosts);
    const params = this.#params;
    let next = 0;
    let last: number | bigint = 0;
    const lean = this.#leanParams;
    const leanWidth = LEAN_COLUMNS.length;
    for (; next + ROWS_PER_INSERT <= batch.count; next += ROWS_PER_INSERT) {
      if (leanRows(batch, next, next + ROWS_PER_INSERT)) {
        for (let i = 0; i < ROWS_PER_INSERT; i++) leanRowParams(batch, largeCosts, next + i, lean, i * leanWidth);
        last = this.#insertManyLean.run(lean).lastInsertRowid;
      } else {
        for (let i = 0; i < ROWS_PER_INSERT; i++) rowParams(batch, largeCosts, next + i, params, i * WIDTH);
        last = this.#insertMany.run(params).lastInsertRowid;
      }
    }
    for (; next < batch.count; next++) {
      rowParams(batch, largeCosts, next, this.#one, 0);
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
}
