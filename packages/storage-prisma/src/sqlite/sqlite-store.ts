import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import {
  usageFilterFor,
  QueryRejectedError,
  StoreUnavailableError,
  ValidationError,
  type GuardedStep,
  type ModelPrice,
  type GuardedOutcome,
  type NewReservation,
  type QuotaUsage,
  type UsageQuery,
  type ImportBatch,
  type ImportCursor,
  type GroupUsageTotals,
  type TagBreakdownFilter,
  type NewAuditEntry,
  type UsageDimension,
  type UsageRecordFilter,
  usageFilterFields,
  type ModelUsageTotals,
  type NewUsageRecord,
  collectQueryRows,
  type QueryResult,
  type QueryRowSink,
  type QueryStreamOptions,
  type QueryStreamSummary,
  type TailFilter,
  type TimeRange,
  type UsageStore,
  type UsageTotals,
  type LimitFilter,
  type UsageLimit,
  type NewUsageLimit,
  type CostChange,
  type ProgressListener,
  type PurgeOptions,
  type UsageRecord,
  type AgentCall,
  type AgentImportCounts,
  type AgentLogFile,
  AlertListeners,
  type AlertDeliveryOutcome,
  type AlertFilter,
  type AlertListener,
  type StoredAlert,
  type AlertRule,
} from "@llm-accounting/core";
import { SqliteAlerts } from "./sqlite-alerts.js";
import type { PrismaClient } from "../generated/sqlite/client.js";
import { sqliteMigrations } from "../generated/migrations.js";
import { migrateSqlite } from "../migrate/sqlite-migrator.js";
import { sqliteSchemaState } from "../migrate/sqlite-schema-check.js";
import { schemaRefusal } from "../migrate/schema-state.js";
import { PrismaModelStore, type PrismaModels } from "../shared/prisma-model-store.js";
import { SqliteQuotaBuckets } from "./sqlite-quota-buckets.js";
import { limitFromSqlRow, listLimitsSql } from "../shared/prisma-limits.js";
import { streamSqliteQueryInChild } from "./query-child-client.js";
import { prepareSelect, rowBatches } from "./read-only-statement.js";
import { splitByDay, splitByHour, splitParams } from "../shared/hour-split.js";
import { tagPairs } from "../shared/tag-rows.js";
import { TagSums } from "../shared/tag-sums.js";
import type { TagSqlDialect } from "../shared/tag-rollup-sql.js";
import { dailyDimsKey, dailyDimsSumSql, filteredSumSql, filterParams, filterShape, tagFilterParams, tagSumSql, rangeSumSql, ROLLED_UP_DIMENSIONS, totalsFromRow, USAGE_COLUMNS, type SumDialect, type TotalsRow } from "../shared/sql-columns.js";
import { resolveSqlitePath, type SqliteLocation } from "./sqlite-path.js";
import { SqliteBatchWriter, writeUsageParams } from "./batch-writer.js";
import { sqliteTime } from "./batch-encoding.js";
import { BatchWriterThread, WriterThreadDiedError, WriterThreadUnavailableError } from "./batch-thread-client.js";
import { classifySqliteWriteError } from "./sqlite-write-errors.js";
import { ROWS_PER_TRANSACTION, runBoundedTransactions } from "./bounded-transactions.js";
import { UsagePageReader } from "./usage-pages.js";
import { sqliteAgentLogFiles, sqliteImportAgentCalls } from "./agent-import.js";

/** Options of the SQLite store. */
export interface SqliteStoreOptions {
  /** Database file (must end with .sqlite, .sqlite3 or .db), or `:memory:`. Default `data/accounting.sqlite`. */
  readonly file?: string;
  /**
   * `normal` (default): WAL with synchronous=NORMAL — a committed record survives a crash of the
   * process, but the last commits before a power cut or OS crash may be lost.
   * `full`: synchronous=FULL — every commit is fsynced before it is acknowledged; slower.
   */
  readonly durability?: "normal" | "full";
  /** How long a writer waits for another process's lock before failing, in ms. Default 10,000. */
  readonly busyTimeoutMs?: number;
  /**
   * @deprecated Ignored: quota checks read per-minute, hour and day sums kept by the database
   * (quota_buckets), so there is no in-process index to build or turn off.
   */
  readonly quotaIndex?: boolean;
  /**
   * Write batches (`insertUsageBatch`: the buffered writer, `trackUsageBatch`) on a worker thread
   * with its own connection, so their SQLite work runs beside the application's event loop
   * (default true; an in-memory database always writes inline, and so does a store whose thread
   * cannot start, e.g. in a bundle without batch-thread.js). Single writes stay inline.
   */
  readonly writerThread?: boolean;
  /**
   * Refuse to open a file that does not exist yet instead of creating it (default false): for
   * callers that only read, where a mistyped path would otherwise show an empty, new database.
   */
  readonly mustExist?: boolean;
  /**
   * Open an existing file for reading only (default false), for callers that only read (reports,
   * `select`, the dashboard): nothing is created, migrated or written, so pointing one at another
   * application's database changes nothing in it. A missing file, a file that is not an
   * llm-accounting database and one an older version wrote (not yet migrated: open it once
   * without this option, e.g. `llm-accounting migrate`) are refused with one line; writes fail.
   */
  readonly readOnly?: boolean;
}

export { sqliteTime };

/** An alert check after a commit failed: said once per failure, never thrown into the write. */
function alertCheckFailed(error: unknown): void {
  process.emitWarning(`alert check failed (the next matching write retries it): ${(error as Error).message}`, "AlertCheckWarning");
}
/** A DATETIME column as Prisma or this store wrote it (ISO text, or epoch milliseconds). */
const sqliteDate = (value: unknown): Date => {
  if (typeof value === "bigint") return new Date(Number(value));
  // Text without an offset (written by another tool) is UTC, as Prisma reads it; JavaScript would read it as local time.
  if (typeof value === "string" && value.length > 10 && !/(Z|[+-]\d{2}:?\d{2})$/i.test(value)) return new Date(`${value.replace(" ", "T")}Z`);
  return new Date(value as string | number);
};


const SQLITE_DIALECT: SumDialect = {
  param: () => "?",
  micros: (column) => `CAST(round(${column} * 1000000) AS INTEGER)`,
  integer: (expression) => expression,
};

const SQLITE_TAG_DIALECT: TagSqlDialect = { ...SQLITE_DIALECT, placeholder: () => "?", time: sqliteTime };

interface Statements {
  insert: Database.Statement;
  insertTag: Database.Statement;
  sumRange: Database.Statement;
  sumByModel: Database.Statement;
  limitsVersion: Database.Statement;
  usageMutations: Database.Statement;
  listPrices: Database.Statement;
  registryVersion: Database.Statement;
  readCounter: Database.Statement;
  writeCounter: Database.Statement;
  deleteCounter: Database.Statement;
  insertAudit: Database.Statement;
  insertReservation: Database.Statement;
  insertReservationTag: Database.Statement;
  deleteReservation: Database.Statement;
  sweepReservations: Database.Statement;
  insertRejection: Database.Statement;
}

/**
 * Usage store on an embedded SQLite file. The connection is the one Prisma's better-sqlite3
 * adapter opens; the hot paths (insert, sums) use cached prepared statements on it directly
 * because Prisma re-prepares every query, which costs more than the insert itself.
 */
export class SqliteStore extends PrismaModelStore implements UsageStore {
  readonly description: string;
  readonly contractVersion = 1;
  readonly capabilities = ["groupedSums", "tagSums", "taggedSums", "costUpdates", "imports", "agentImport", "alerts", "usageMutations"] as const;
  readonly location: SqliteLocation;
  readonly #options: SqliteStoreOptions;
  #prisma: Promise<PrismaClient> | undefined;
  #adapter: Awaited<ReturnType<PrismaBetterSqlite3["connect"]>> | undefined;
  #factory: PrismaBetterSqlite3 | undefined;
  #db: Database.Database | undefined;
  #reader: Database.Database | undefined;
  #statements: Statements | undefined;
  #quotaBuckets: SqliteQuotaBuckets | undefined;
  #alerts: SqliteAlerts | undefined;
  readonly #alertListeners = new AlertListeners();
  #pages: UsagePageReader | undefined;
  #batchWriter: SqliteBatchWriter | undefined;
  #writerThread: BatchWriterThread | undefined;
  #threadUnavailable = false;
  #opening: Promise<void> | undefined;
  readonly #filteredSums = new Map<string, Database.Statement>();
  #tagSums: TagSums | undefined;

  constructor(options: SqliteStoreOptions = {}) {
    super();
    this.#options = options;
    this.location = resolveSqlitePath(options.file);
    this.description = this.location.kind === "memory" ? "sqlite::memory:" : `sqlite:${this.location.path}`;
  }

  protected async models(): Promise<PrismaModels> {
    return this.prisma();
  }

  /**
   * The Prisma client over this store's connection (opens the store). Created on first use: the
   * client loads a WebAssembly query compiler, which one-shot commands like `track` never need.
   */
  async prisma(): Promise<PrismaClient> {
    await this.open();
    this.#prisma ??= (async () => {
      const { PrismaClient } = await import("../generated/sqlite/client.js");
      const adapter = this.#adapter!;
      const factory = this.#factory!;
      // Hand Prisma the connection the store opened through the same adapter: one connection, one lock.
      const client = new PrismaClient({
        adapter: { provider: factory.provider, adapterName: factory.adapterName, connect: async () => adapter, connectToShadowDb: () => factory.connectToShadowDb() },
      });
      await client.$connect();
      return client;
    })();
    return this.#prisma;
  }

  open(): Promise<void> {
    this.#opening ??= this.#open().catch((error: unknown) => {
      this.#opening = undefined;
      throw error;
    });
    return this.#opening;
  }

  async #open(): Promise<void> {
    const url = this.location.kind === "memory" ? ":memory:" : this.location.path;
    const readOnly = this.#options.readOnly === true && this.location.kind === "file";
    if (this.location.kind === "file") {
      if ((readOnly || this.#options.mustExist) && !existsSync(this.location.path)) {
        throw new ValidationError("dbFile", `"${this.location.path}" does not exist: nothing has been recorded there (check the path, or record a call first)`);
      }
      if (!readOnly) {
        try {
          mkdirSync(dirname(this.location.path), { recursive: true });
        } catch (error) {
          throw new StoreUnavailableError(`cannot create the directory for ${this.location.path}: ${(error as Error).message}`, { cause: error });
        }
      }
    }
    const factory = new PrismaBetterSqlite3({ url, timeout: this.#options.busyTimeoutMs ?? 10_000, ...(readOnly ? { readonly: true, fileMustExist: true } : {}) });
    let adapter: Awaited<ReturnType<PrismaBetterSqlite3["connect"]>> | undefined;
    try {
      adapter = await factory.connect();
      const db = (adapter as unknown as { client?: Database.Database }).client;
      if (!db) throw new Error("the Prisma adapter did not expose its connection");
      if (readOnly) {
        db.pragma("query_only = ON");
        this.#refuseUnlessCurrent(db);
      } else {
        db.pragma("journal_mode = WAL");
        db.pragma(`synchronous = ${this.#options.durability === "full" ? "FULL" : "NORMAL"}`);
        // Checkpoint every 16 MB of WAL, not SQLite's 4 MB: a single-row commit dirties ~8 pages, so
        // the default copied the WAL back and synced every ~125 commits (measured at 1M rows: a
        // commit took 93 µs with the default, 80 µs with this).
        db.pragma("wal_autocheckpoint = 4000");
        db.pragma("foreign_keys = ON");
        migrateSqlite(db, sqliteMigrations);
      }
      this.#statements = prepareStatements(db);
      this.#quotaBuckets = new SqliteQuotaBuckets(db, !readOnly);
      const statements = this.#statements;
      this.#alerts = new SqliteAlerts({
        db,
        buckets: this.#quotaBuckets,
        limitsVersion: () => statements.limitsVersion.get() as number,
        limits: () => this.#limitsSync(),
        date: sqliteDate,
        usageMutations: () => statements.usageMutations.get() as number,
        listeners: this.#alertListeners,
      });
      this.#db = db;
      this.#adapter = adapter;
      this.#factory = factory;
    } catch (error) {
      await adapter?.dispose().catch(() => undefined);
      if (error instanceof ValidationError || error instanceof StoreUnavailableError) throw error;
      throw new StoreUnavailableError(`cannot open SQLite database ${url}: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Read-only opening: refuses another application's file, or ours before this version's migrations. */
  #refuseUnlessCurrent(db: Database.Database): void {
    const refusal = schemaRefusal(sqliteSchemaState(db, sqliteMigrations), this.location.kind === "file" ? `"${this.location.path}"` : ":memory:");
    if (refusal?.foreign) throw new ValidationError("dbFile", refusal.message);
    if (refusal) throw new StoreUnavailableError(refusal.message);
  }

  async close(): Promise<void> {
    const opening = this.#opening;
    this.#opening = undefined;
    if (!opening) return;
    await opening.catch(() => undefined);
    await this.#closeWriterThread();
    this.#reader?.close();
    this.#reader = undefined;
    const prisma = this.#prisma;
    this.#prisma = undefined;
    // Prisma's disconnect disposes the adapter it was given; without Prisma, dispose it here.
    if (prisma) await (await prisma.catch(() => undefined))?.$disconnect();
    else await this.#adapter?.dispose();
    this.#adapter = undefined;
    this.#factory = undefined;
    this.#db = undefined;
    this.#statements = undefined;
    this.#batchWriter = undefined;
    this.#quotaBuckets = undefined;
    this.#pages = undefined;
    this.#filteredSums.clear();
    // A batch that arrived while closing may have started a thread on the old connection's statements.
    await this.#closeWriterThread();
  }

  async #closeWriterThread(): Promise<void> {
    while (this.#writerThread) {
      const thread = this.#writerThread;
      this.#writerThread = undefined;
      await thread.close();
      // Its receipts only matter while it might die with a batch in flight.
      this.#statements?.deleteCounter.run(thread.receiptKey);
    }
  }

  async #ready(): Promise<Statements> {
    if (this.#statements) return this.#statements;
    await this.open();
    return this.#statements!;
  }

  async insertUsage(record: NewUsageRecord): Promise<number> {
    const statements = this.#statements ?? (await this.#ready());
    try {
      const alerts = this.#alerts!;
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
      const { id, raised } = this.#db!.transaction(() => {
        const id = insertEntry(statements, record);
        return { id, raised: alerts.raise(rules, [record], new Date(), id) };
      }).immediate();
      alerts.emit(raised);
      return id;
    } catch (error) {
      throw classifySqliteWriteError(error);
    }
  }

  async insertUsageBatch(records: readonly NewUsageRecord[]): Promise<void> {
    if (!this.#statements) await this.#ready();
    try {
      await this.#insertBatch(records);
    } catch (error) {
      // A refused batch must say so: the buffered writer then splits it instead of retrying it for ever.
      throw classifySqliteWriteError(error);
    }
  }

  async #insertBatch(records: readonly NewUsageRecord[]): Promise<void> {
    if (this.location.kind === "file" && this.#options.writerThread !== false && !this.#threadUnavailable) {
      this.#writerThread ??= new BatchWriterThread({
        file: this.location.path,
        receiptKey: `writer_receipt:${randomUUID()}`,
        busyTimeoutMs: this.#options.busyTimeoutMs ?? 10_000,
        durability: this.#options.durability ?? "normal",
      });
      try {
        await this.#writerThread.write(records);
        // The thread has its own connection and does not load core: the batch's alerts are
        // checked here, once per batch, in a transaction right after the batch's commit.
        this.#raiseAfterBatch(records);
        return;
      } catch (error) {
        if (error instanceof WriterThreadDiedError) {
          // Committed just before the thread died: acknowledged, not written again by a retry.
          if (Number(this.#statements?.readCounter.get(error.receiptKey) ?? 0) >= error.batchId) return;
          throw new StoreUnavailableError(error.message, { cause: error });
        }
        if (!(error instanceof WriterThreadUnavailableError)) throw error;
        // A thread that cannot start (a bundle without batch-thread.js, no threads allowed) wrote
        // nothing: write inline from now on rather than fail every batch.
        this.#threadUnavailable = true;
      }
    }
    this.#batchWriter ??= new SqliteBatchWriter(this.#db!);
    const writer = this.#batchWriter;
    const alerts = this.#alerts!;
    const rules = alerts.rulesFor(records);
    if (rules.length === 0) return writer.write(records);
    // Inline, the batch and its alerts are one transaction (the writer's own nests as a savepoint).
    alerts.emit(this.#db!.transaction(() => {
      writer.write(records);
      return alerts.raise(rules, records, new Date(), alerts.lastUsageId());
    }).immediate());
  }

  /** Raises a batch's alerts once the writer thread has committed it (one check per batch). */
  #raiseAfterBatch(records: readonly NewUsageRecord[]): void {
    const alerts = this.#alerts!;
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
    const alerts = this.#alerts!;
    try {
      alerts.emit(this.#db!.transaction(() => alerts.raise(rules, records, new Date(), lastId?.())).immediate());
    } catch (error) {
      alertCheckFailed(error);
    }
  }

  /** Every limit, synchronously (the alert rules are read inside write transactions). */
  #limitsSync(): UsageLimit[] {
    const { sql, params } = listLimitsSql({}, () => "?");
    return (this.#db!.prepare(sql).safeIntegers(false).all(params) as Record<string, unknown>[]).map((r) => limitFromSqlRow(r, sqliteDate));
  }

  /** Alerts, newest first. */
  async listAlerts(filter?: AlertFilter): Promise<StoredAlert[]> {
    await this.#ready();
    return this.#alerts!.list(filter);
  }

  /** Leases due pending alerts for delivery (one conditional UPDATE). */
  async claimAlertDeliveries(now: Date, leaseMs: number, max: number): Promise<StoredAlert[]> {
    await this.#ready();
    return this.#alerts!.claim(now, leaseMs, max);
  }

  /** Records how a delivery attempt ended. */
  async finishAlertDelivery(id: number, outcome: AlertDeliveryOutcome): Promise<void> {
    await this.#ready();
    this.#alerts!.finish(id, outcome);
  }

  /** Hears the alerts this store object raises. */
  onAlertsRaised(listener: AlertListener): () => void {
    return this.#alertListeners.add(listener);
  }

  async sumUsage(range: TimeRange, filter: UsageRecordFilter = {}): Promise<UsageTotals> {
    const statements = await this.#ready();
    if (usageFilterFields(filter).length > 0) return totalsFromRow(this.#filtered(null, range, filter)[0]);
    return totalsFromRow(statements.sumRange.get(splitParams(splitByHour(range), sqliteTime)) as TotalsRow);
  }

  async sumUsageByModel(range: TimeRange, filter: UsageRecordFilter = {}): Promise<ModelUsageTotals[]> {
    const statements = await this.#ready();
    if (usageFilterFields(filter).length > 0) return (await this.sumUsageBy(range, "model", filter)).map(({ key, ...totals }) => ({ model: String(key), ...totals }));
    const rows = statements.sumByModel.all(splitParams(splitByHour(range), sqliteTime)) as TotalsRow[];
    return rows.map((row) => ({ model: String(row.model), ...totalsFromRow(row) }));
  }

  async sumUsageBy(range: TimeRange, dimension: UsageDimension, filter: UsageRecordFilter = {}): Promise<GroupUsageTotals[]> {
    await this.#ready();
    if (usageFilterFields(filter).length === 0 && ROLLED_UP_DIMENSIONS.has(dimension)) {
      const key = `daily:${dimension}`;
      let statement = this.#filteredSums.get(key);
      if (!statement) {
        statement = this.#db!.prepare(dailyDimsSumSql(SQLITE_DIALECT, dimension)).safeIntegers(true);
        this.#filteredSums.set(key, statement);
      }
      const rows = statement.all(splitParams(splitByDay(range), sqliteTime)) as TotalsRow[];
      return rows.map((row) => ({ key: dailyDimsKey(row), ...totalsFromRow(row) }));
    }
    return this.#filtered(dimension, range, filter).map((row) => ({ key: row.key === null ? null : String(row.key), ...totalsFromRow(row) }));
  }

  /** Sums per value of a tag key (records without it last, as null): from usage_tag_hourly when the filter allows. */
  async sumUsageByTag(range: TimeRange, key: string, filter: TagBreakdownFilter = {}): Promise<GroupUsageTotals[]> {
    return (await this.#tags()).byTag(range, key, filter);
  }

  /** Sums narrowed by tags, per value of a column (null: one group). */
  async sumTaggedUsage(range: TimeRange, dimension: UsageDimension | null, filter: TagBreakdownFilter): Promise<GroupUsageTotals[]> {
    return (await this.#tags()).tagged(range, dimension, filter);
  }

  async #tags(): Promise<TagSums> {
    const statements = await this.#ready();
    this.#tagSums ??= new TagSums({
      dialect: SQLITE_TAG_DIALECT,
      run: async ({ sql, params }) => this.#prepared(sql).all(params) as TotalsRow[],
      totalRow: async (range) => statements.sumRange.get(splitParams(splitByHour(range), sqliteTime)) as TotalsRow,
      byTagFromEntries: async (range, key, filter) => {
        const shape = `tag:${filterShape(filter)}:${Object.keys(filter.tags ?? {}).length}`;
        let statement = this.#filteredSums.get(shape);
        if (!statement) {
          statement = this.#db!.prepare(tagSumSql(SQLITE_DIALECT, filter)).safeIntegers(true);
          this.#filteredSums.set(shape, statement);
        }
        // Unnumbered placeholders bind in text order: the join's key comes before the range.
        const rows = statement.all(key, sqliteTime(range.start), sqliteTime(range.end), ...tagFilterParams(filter)) as TotalsRow[];
        return rows.map((row) => ({ key: row.key === null ? null : String(row.key), ...totalsFromRow(row) }));
      },
    });
    return this.#tagSums;
  }

  /** A statement prepared once per SQL text (the tag queries vary with their filter's shape). */
  #prepared(sql: string): Database.Statement {
    let statement = this.#filteredSums.get(sql);
    if (!statement) {
      statement = this.#db!.prepare(sql).safeIntegers(true);
      this.#filteredSums.set(sql, statement);
    }
    return statement;
  }

  #filtered(dimension: UsageDimension | null, range: TimeRange, filter: UsageRecordFilter): TotalsRow[] {
    const key = `${dimension}:${filterShape(filter)}`;
    let statement = this.#filteredSums.get(key);
    if (!statement) {
      statement = this.#db!.prepare(filteredSumSql(SQLITE_DIALECT, dimension, filter)).safeIntegers(true);
      this.#filteredSums.set(key, statement);
    }
    const params = [sqliteTime(range.start), sqliteTime(range.end), ...filterParams(filter)];
    return statement.all(params) as TotalsRow[];
  }

  /**
   * The newest records, read with the store's own statement: a one-shot `llm-accounting tail`
   * then never loads the Prisma client (its WebAssembly query compiler costs a fresh process
   * about 0.3 s).
   */
  override async tail(limit: number, filter: TailFilter = {}): Promise<UsageRecord[]> {
    await this.#ready();
    this.#pages ??= new UsagePageReader(this.#db!, sqliteDate);
    return this.#pages.tail(limit, filter);
  }

  /** Usage records in the range after `afterId`, in id order, read with the store's own statement. */
  override async usageInRange(range: TimeRange, afterId: number, limit: number): Promise<UsageRecord[]> {
    await this.#ready();
    this.#pages ??= new UsagePageReader(this.#db!, sqliteDate);
    return this.#pages.page(range, afterId, limit);
  }

  /** Sets the costs in transactions of a few thousand rows (the rollup triggers follow each row), pausing between them for other writers. */
  async updateCosts(changes: readonly CostChange[], onProgress?: ProgressListener): Promise<void> {
    if (changes.length === 0) return;
    await this.#ready();
    const update = this.#db!.prepare("UPDATE accounting_entries SET cost_nanos = ?, cost_source = ? WHERE id = ?");
    let next = 0;
    const step = () => {
      const chunk = changes.slice(next, next + ROWS_PER_TRANSACTION);
      for (const change of chunk) update.run(change.costNanos, change.costSource, change.id);
      next += chunk.length;
      return chunk.length;
    };
    try {
      await runBoundedTransactions(this.#db!, step, onProgress && ((done) => onProgress(done, changes.length)));
    } catch (error) {
      throw classifySqliteWriteError(error);
    }
  }

  /**
   * Deletes the matching rows that exist now, oldest id first, a few thousand per transaction; rows
   * added meanwhile have higher ids and stay. The rollup triggers subtract each deleted row.
   */
  async purgeUsage(options: PurgeOptions = {}): Promise<number> {
    await this.#ready();
    const db = this.#db!;
    const lastId = Number(db.prepare("SELECT COALESCE(MAX(id), 0) FROM accounting_entries").pluck().get());
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
    const total = options.onProgress ? Number(db.prepare(`SELECT COUNT(*) FROM accounting_entries WHERE ${filter}`).pluck().get(...params)) : 0;
    const deleteChunk = db.prepare(`DELETE FROM accounting_entries WHERE id IN (SELECT id FROM accounting_entries WHERE ${filter} ORDER BY id LIMIT ?)`);
    const onProgress = options.onProgress;
    options.onProgress?.(0, total);
    return runBoundedTransactions(db, () => deleteChunk.run(...params, ROWS_PER_TRANSACTION).changes, onProgress && ((done) => onProgress(done, Math.max(total, done))));
  }

  async importCursor(key: string): Promise<number> {
    const statements = this.#statements ?? (await this.#ready());
    return Number(statements.readCounter.get(key) ?? 0);
  }

  async importRows(batch: ImportBatch, cursor: ImportCursor): Promise<void> {
    const statements = this.#statements ?? (await this.#ready());
    const write = this.#db!.transaction(() => {
      if (batch.kind === "usage") for (const row of batch.rows) insertEntry(statements, row);
      else if (batch.kind === "audit") for (const row of batch.rows) statements.insertAudit.run(auditParams(row));
      else for (const row of batch.rows) statements.insertRejection.run(sqliteTime(row.createdAt), row.session, row.message);
      statements.writeCounter.run(cursor.key, cursor.value);
    });
    write.immediate();
  }

  async agentLogFiles(source: string): Promise<AgentLogFile[]> {
    await this.#ready();
    return sqliteAgentLogFiles(this.#db!, source);
  }

  async importAgentCalls(calls: readonly AgentCall[], file: AgentLogFile): Promise<AgentImportCounts> {
    const statements = this.#statements ?? (await this.#ready());
    try {
      return sqliteImportAgentCalls(this.#db!, statements.insert, usageParams, calls, file);
    } catch (error) {
      throw classifySqliteWriteError(error);
    }
  }

  async registryVersion(): Promise<number> {
    const statements = this.#statements ?? (await this.#ready());
    return statements.registryVersion.get() as number;
  }

  /** Stored prices through the store's own connection: the facade reads them on tracked calls, and a one-shot `track` should not load the Prisma client for that. */
  override async listPrices(): Promise<ModelPrice[]> {
    const statements = this.#statements ?? (await this.#ready());
    const rows = statements.listPrices.all() as Record<string, unknown>[];
    const big = (v: unknown): bigint | null => (v === null || v === undefined ? null : BigInt(v as bigint | number | string));
    return rows
      .map((r) => ({
        id: Number(r.id),
        model: String(r.model),
        provider: r.provider === null ? null : String(r.provider),
        effectiveFrom: sqliteDate(r.effective_from),
        inputNanosPerMTok: big(r.input_nanos_per_mtok)!,
        cacheReadNanosPerMTok: big(r.cache_read_nanos_per_mtok),
        cacheWriteNanosPerMTok: big(r.cache_write_nanos_per_mtok),
        outputNanosPerMTok: big(r.output_nanos_per_mtok)!,
        note: r.note === null ? null : String(r.note),
        createdAt: sqliteDate(r.created_at),
      }))
      .sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0) || a.effectiveFrom.getTime() - b.effectiveFrom.getTime() || a.id - b.id);
  }

  /** Limits through the store's own connection: the dashboard and quota checks read them, and a one-shot process should not load the Prisma client for that. */
  override async listLimits(filter: LimitFilter = {}): Promise<UsageLimit[]> {
    await this.#ready();
    const { sql, params } = listLimitsSql(filter, () => "?");
    let statement = this.#filteredSums.get(sql);
    if (!statement) {
      statement = this.#db!.prepare(sql).safeIntegers(false);
      this.#filteredSums.set(sql, statement);
    }
    return (statement.all(params) as Record<string, unknown>[]).map((r) => limitFromSqlRow(r, sqliteDate));
  }


  /** The `entries_mutations` counter the update and delete triggers of `accounting_entries` bump. */
  async usageMutations(): Promise<number> {
    const statements = await this.#ready();
    return statements.usageMutations.get() as number;
  }

  async limitsVersion(): Promise<number> {
    const statements = this.#statements ?? (await this.#ready());
    return statements.limitsVersion.get() as number;
  }

  /** Stores a limit and registers its usage filter, back-filling the filter's quota buckets now so no check waits for it. */
  async insertLimit(limit: NewUsageLimit): Promise<UsageLimit> {
    const stored = await super.insertLimit(limit);
    await this.#ready();
    if (this.#options.readOnly !== true) this.#quotaBuckets!.filterId(usageFilterFor(stored));
    this.#alerts!.invalidate();
    return stored;
  }

  override async deleteLimit(id: number): Promise<boolean> {
    const deleted = await super.deleteLimit(id);
    this.#alerts?.invalidate();
    return deleted;
  }

  async sumQuotaUsage(queries: readonly UsageQuery[], now: Date): Promise<QuotaUsage[]> {
    await this.#ready();
    const buckets = this.#quotaBuckets!;
    // Outside the read transaction: registering a new filter writes (once per filter, ever).
    const ids = buckets.filterIds(queries);
    // A read transaction, so buckets, edge rows and reservations come from one snapshot.
    return this.#db!.transaction(() => buckets.sums(queries, ids, now))();
  }

  async guardedWrite<T>(_lockKeys: readonly number[], clock: () => Date, build: (now: Date, limitsVersion: number) => GuardedStep<T>): Promise<GuardedOutcome<T>> {
    const statements = this.#statements ?? (await this.#ready());
    const buckets = this.#quotaBuckets!;
    // BEGIN IMMEDIATE takes SQLite's single write lock before summing, so the sums, the decision
    // and the write are one step for every process on this file; nothing here awaits.
    let raised: StoredAlert[] = [];
    const step = this.#db!.transaction((): GuardedOutcome<T> => {
      const now = clock();
      const { queries, decide } = build(now, statements.limitsVersion.get() as number);
      const decision = decide(buckets.sums(queries, buckets.filterIds(queries), now));
      const write = decision.write;
      switch (write.kind) {
        case "usage": {
          const id = insertEntry(statements, write.record);
          const rules = this.#alerts!.rulesFor([write.record]);
          if (rules.length > 0) raised = this.#alerts!.raise(rules, [write.record], now, id);
          return { result: decision.result, id };
        }
        case "reservation": {
          statements.sweepReservations.run(sqliteTime(now));
          const id = Number(statements.insertReservation.run(reservationParams(write.reservation)).lastInsertRowid);
          // Its tags, so TAG limits count it; they go with it (ON DELETE CASCADE).
          for (const [key, value] of tagPairs(write.reservation.tags)) statements.insertReservationTag.run(id, key, value);
          return { result: decision.result, id };
        }
        case "rejection":
          return { result: decision.result, id: Number(statements.insertRejection.run(sqliteTime(write.rejection.createdAt), write.rejection.session, write.rejection.message).lastInsertRowid) };
        case "none":
          return { result: decision.result, id: null };
      }
    });
    const outcome = step.immediate();
    this.#alerts!.emit(raised);
    return outcome;
  }

  async commitReservation(reservationId: number, record: NewUsageRecord): Promise<number> {
    const statements = this.#statements ?? (await this.#ready());
    const alerts = this.#alerts!;
    const commit = this.#db!.transaction(() => {
      statements.deleteReservation.run(reservationId);
      const id = insertEntry(statements, record);
      const rules = alerts.rulesFor([record]);
      return { id, raised: rules.length > 0 ? alerts.raise(rules, [record], new Date(), id) : [] };
    });
    const { id, raised } = commit.immediate();
    alerts.emit(raised);
    return id;
  }

  async cancelReservation(reservationId: number): Promise<boolean> {
    const statements = this.#statements ?? (await this.#ready());
    return statements.deleteReservation.run(reservationId).changes > 0;
  }

  async readOnlyQuery(sql: string, options?: QueryStreamOptions): Promise<QueryResult> {
    return collectQueryRows((sink, bounded) => this.streamReadOnlyQuery(sql, sink, bounded), options);
  }

  async streamReadOnlyQuery(sql: string, sink: QueryRowSink, options?: QueryStreamOptions): Promise<QueryStreamSummary> {
    await this.open();
    // A file is queried from a child process, the only way to stop a runaway statement.
    if (this.location.kind === "file") return streamSqliteQueryInChild(this.location.path, sql, sink, options);
    // An in-memory database lives in this process only: it is queried here, without a timeout.
    return streamInProcess(this.#readerConnection(), sql, sink, options?.maxRows);
  }

  #readerConnection(): Database.Database {
    if (this.#reader) return this.#reader;
    // An in-memory database is private to its connection, so reuse it; query_only still guards it.
    const reader = this.location.kind === "memory" ? this.#db! : new Database(this.location.path, { readonly: true, fileMustExist: true });
    if (reader !== this.#db) {
      reader.pragma("query_only = ON");
      reader.defaultSafeIntegers(false);
      this.#reader = reader;
    }
    return reader;
  }
}

/** Streams a query on a connection of this process (an in-memory database); no timeout applies. */
async function streamInProcess(reader: Database.Database, sql: string, sink: QueryRowSink, maxRows = Number.POSITIVE_INFINITY): Promise<QueryStreamSummary> {
  const prepared = prepareSelect(reader, sql);
  if (!prepared.ok) throw new QueryRejectedError(prepared.reason);
  await sink.columns(prepared.columns);
  let delivered = 0;
  const limit = maxRows === Number.POSITIVE_INFINITY ? Number.MAX_SAFE_INTEGER : maxRows + 1;
  const rows = prepared.statement.iterate() as Iterator<unknown[]>;
  try {
    for (const batch of rowBatches(rows, limit)) {
      const room = maxRows - delivered;
      const taken = batch.length > room ? batch.slice(0, room) : batch;
      if (taken.length > 0) await sink.rows(taken);
      delivered += taken.length;
      if (batch.length > room) return { rowCount: delivered, truncated: true };
    }
  } catch (error) {
    throw error instanceof QueryRejectedError ? error : new QueryRejectedError((error as Error).message, { cause: error });
  } finally {
    rows.return?.();
  }
  return { rowCount: delivered, truncated: false };
}

function prepareStatements(db: Database.Database): Statements {
  const placeholders = USAGE_COLUMNS.map(() => "?").join(", ");
  const insert = db.prepare(`INSERT INTO accounting_entries (${USAGE_COLUMNS.join(", ")}) VALUES (${placeholders})`);
  const sumRange = db.prepare(rangeSumSql(SQLITE_DIALECT, false)).safeIntegers(true);
  const sumByModel = db.prepare(rangeSumSql(SQLITE_DIALECT, true)).safeIntegers(true);
  return {
    insert,
    insertTag: db.prepare("INSERT INTO usage_tags (entry_id, key, value) VALUES (?, ?, ?)"),
    sumRange,
    sumByModel,
    limitsVersion: db.prepare("SELECT value FROM store_counters WHERE key = 'limits_version'").pluck().safeIntegers(false),
    usageMutations: db.prepare("SELECT value FROM store_counters WHERE key = 'entries_mutations'").pluck().safeIntegers(false),
    listPrices: db.prepare("SELECT * FROM model_prices").safeIntegers(true),
    registryVersion: db.prepare("SELECT value FROM store_counters WHERE key = 'registry_version'").pluck().safeIntegers(false),
    readCounter: db.prepare("SELECT value FROM store_counters WHERE key = ?").pluck().safeIntegers(false),
    writeCounter: db.prepare("INSERT INTO store_counters (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
    deleteCounter: db.prepare("DELETE FROM store_counters WHERE key = ?"),
    insertAudit: db.prepare(
      "INSERT INTO audit_log_entries (timestamp, app_name, user_name, model, prompt_text, response_text, remote_completion_id, project, log_type, session) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    ),
    insertReservation: db.prepare(
      "INSERT INTO quota_reservations (created_at, expires_at, model, username, caller_name, project, session, input_tokens, completion_tokens, cost_nanos) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    ),
    insertReservationTag: db.prepare("INSERT INTO quota_reservation_tags (reservation_id, key, value) VALUES (?, ?, ?)"),
    deleteReservation: db.prepare("DELETE FROM quota_reservations WHERE id = ?"),
    sweepReservations: db.prepare("DELETE FROM quota_reservations WHERE expires_at <= ?"),
    insertRejection: db.prepare("INSERT INTO quota_rejections (created_at, session, rejection_message) VALUES (?, ?, ?)"),
  };
}

function auditParams(e: NewAuditEntry): unknown[] {
  return [sqliteTime(e.timestamp), e.appName, e.userName, e.model, e.promptText, e.responseText, e.remoteCompletionId, e.project, e.logType, e.session];
}

function reservationParams(r: NewReservation): unknown[] {
  return [sqliteTime(r.createdAt), sqliteTime(r.expiresAt), r.model, r.username, r.callerName, r.project, r.session, r.inputTokens, r.completionTokens, r.costNanos];
}

/**
 * Inserts one record and its tags; returns its id. Callers that are not in a transaction write
 * a record without tags in one autocommit statement; with tags, both go in one transaction.
 */
function insertEntry(statements: Statements, record: NewUsageRecord): number {
  const pairs = tagPairs(record.tags);
  if (pairs.length === 0) return Number(statements.insert.run(usageParams(record)).lastInsertRowid);
  const db = statements.insert.database;
  const write = (): number => {
    const id = Number(statements.insert.run(usageParams(record)).lastInsertRowid);
    for (const [key, value] of pairs) statements.insertTag.run(id, key, value);
    return id;
  };
  return db.inTransaction ? write() : db.transaction(write).immediate();
}

function usageParams(r: NewUsageRecord): unknown[] {
  const params = new Array<unknown>(USAGE_COLUMNS.length);
  writeUsageParams(r, sqliteTime(r.timestamp), params, 0);
  return params;
}
