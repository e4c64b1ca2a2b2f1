import {
  usageFilterFor, AlertListeners, collectQueryRows,
  type AgentCall, type AgentImportCounts, type AgentLogFile, type AlertDeliveryOutcome, type AlertFilter, type AlertListener, type CostChange,
  type GroupUsageTotals, type GuardedOutcome, type GuardedStep, type ImportBatch, type ImportCursor, type LimitFilter, type ModelPrice, type ModelUsageTotals,
  type NewUsageLimit, type NewUsageRecord, type ProgressListener, type PurgeOptions, type QueryResult, type QueryRowSink, type QueryStreamOptions,
  type QueryStreamSummary, type QuotaUsage, type StoredAlert, type TagBreakdownFilter, type TailFilter, type TimeRange, type UsageDimension, type UsageLimit,
  type UsageQuery, type UsageRecord, type UsageRecordFilter, type UsageStore, type UsageTotals,
} from "@llm-accounting/core";
import type { PrismaClient } from "../generated/sqlite/client.js";
import { PrismaModelStore, type PrismaModels } from "../shared/prisma-model-store.js";
import { sqliteAgentLogFiles, sqliteImportAgentCalls } from "./agent-import.js";
import { sqliteTime } from "./batch-encoding.js";
import { streamInProcess } from "./in-process-query.js";
import { streamSqliteQueryInChild } from "./query-child-client.js";
import { SqliteBatches } from "./sqlite-batches.js";
import { prismaOver } from "./sqlite-connection.js";
import { openSqliteStore, type OpenSqliteStore } from "./open-sqlite-store.js";
import type { SqliteStoreOptions } from "./sqlite-options.js";
import { resolveSqlitePath, type SqliteLocation } from "./sqlite-path.js";
import { readCounter, SQL, sqliteLimits, sqlitePrices } from "./sqlite-statements.js";
import { classifySqliteWriteError } from "./sqlite-write-errors.js";

export type { SqliteStoreOptions };
export { sqliteTime };

/**
 * Usage store on an embedded SQLite file. The connection is the one Prisma's better-sqlite3
 * adapter opens. Registries, the audit log, rejections and price and limit writes go through the
 * Prisma client; everything else runs cached prepared statements (`StatementCache`) on that
 * connection, because Prisma re-prepares every query, which costs more than the insert itself.
 * Batches may be written on a thread with a connection of its own (`SqliteBatches`).
 */
export class SqliteStore extends PrismaModelStore implements UsageStore {
  readonly description: string;
  readonly contractVersion = 1;
  readonly capabilities = ["groupedSums", "tagSums", "taggedSums", "costUpdates", "imports", "agentImport", "alerts", "usageMutations"] as const;
  readonly location: SqliteLocation;
  readonly #options: SqliteStoreOptions;
  readonly #alertListeners = new AlertListeners();
  readonly #batches: SqliteBatches;
  #open: OpenSqliteStore | undefined;
  #opening: Promise<void> | undefined;
  #prisma: Promise<PrismaClient> | undefined;

  constructor(options: SqliteStoreOptions = {}) {
    super();
    this.#options = options;
    this.location = resolveSqlitePath(options.file);
    this.description = this.location.kind === "memory" ? "sqlite::memory:" : `sqlite:${this.location.path}`;
    this.#batches = new SqliteBatches(this.location, options, () => this.#open?.statements);
  }

  protected async models(): Promise<PrismaModels> {
    return this.prisma();
  }

  /**
   * The Prisma client over this store's connection (opens the store). Created on first use: the
   * client loads a WebAssembly query compiler, which one-shot commands like `track` never need.
   */
  async prisma(): Promise<PrismaClient> {
    const { connection } = await this.#ready();
    this.#prisma ??= prismaOver(connection);
    return this.#prisma;
  }

  open(): Promise<void> {
    this.#opening ??= this.#openStore().catch((error: unknown) => {
      this.#opening = undefined;
      throw error;
    });
    return this.#opening;
  }

  async #openStore(): Promise<void> {
    this.#open = await openSqliteStore(this.location, this.#options, this.#alertListeners);
  }

  async close(): Promise<void> {
    const opening = this.#opening;
    this.#opening = undefined;
    if (!opening) return;
    await opening.catch(() => undefined);
    await this.#batches.close();
    const prisma = this.#prisma;
    this.#prisma = undefined;
    // Prisma's disconnect disposes the adapter it was given; without Prisma, dispose it here.
    if (prisma) await (await prisma.catch(() => undefined))?.$disconnect();
    else await this.#open?.connection.adapter.dispose();
    this.#open = undefined;
    // A batch that arrived while closing may have started a thread on the old connection's statements.
    await this.#batches.close();
  }

  async #ready(): Promise<OpenSqliteStore> {
    if (this.#open) return this.#open;
    await this.open();
    return this.#open!;
  }

  async insertUsage(record: NewUsageRecord): Promise<number> {
    const { writes } = this.#open ?? (await this.#ready());
    try {
      return writes.insert(record);
    } catch (error) {
      throw classifySqliteWriteError(error);
    }
  }

  async insertUsageBatch(records: readonly NewUsageRecord[]): Promise<void> {
    const { writes } = this.#open ?? (await this.#ready());
    try {
      await this.#batches.write(writes, records);
    } catch (error) {
      // A refused batch must say so: the buffered writer then splits it instead of retrying it for ever.
      throw classifySqliteWriteError(error);
    }
  }

  /** Alerts, newest first. */
  async listAlerts(filter?: AlertFilter): Promise<StoredAlert[]> {
    return (await this.#ready()).alerts.list(filter);
  }

  /** Leases due pending alerts for delivery (one conditional UPDATE). */
  async claimAlertDeliveries(now: Date, leaseMs: number, max: number): Promise<StoredAlert[]> {
    return (await this.#ready()).alerts.claim(now, leaseMs, max);
  }

  /** Records how a delivery attempt ended. */
  async finishAlertDelivery(id: number, outcome: AlertDeliveryOutcome): Promise<void> {
    (await this.#ready()).alerts.finish(id, outcome);
  }

  /** Hears the alerts this store object raises. */
  onAlertsRaised(listener: AlertListener): () => void {
    return this.#alertListeners.add(listener);
  }

  async sumUsage(range: TimeRange, filter: UsageRecordFilter = {}): Promise<UsageTotals> {
    return (await this.#ready()).sums.total(range, filter);
  }

  async sumUsageByModel(range: TimeRange, filter: UsageRecordFilter = {}): Promise<ModelUsageTotals[]> {
    return (await this.#ready()).sums.byModel(range, filter);
  }

  async sumUsageBy(range: TimeRange, dimension: UsageDimension, filter: UsageRecordFilter = {}): Promise<GroupUsageTotals[]> {
    return (await this.#ready()).sums.by(range, dimension, filter);
  }

  /** Sums per value of a tag key (records without it last, as null): from usage_tag_hourly when the filter allows. */
  async sumUsageByTag(range: TimeRange, key: string, filter: TagBreakdownFilter = {}): Promise<GroupUsageTotals[]> {
    return (await this.#ready()).sums.byTag(range, key, filter);
  }

  /** Sums narrowed by tags, per value of a column (null: one group). */
  async sumTaggedUsage(range: TimeRange, dimension: UsageDimension | null, filter: TagBreakdownFilter): Promise<GroupUsageTotals[]> {
    return (await this.#ready()).sums.tagged(range, dimension, filter);
  }

  /**
   * The newest records, read with the store's own statement: a one-shot `llm-accounting tail`
   * then never loads the Prisma client (its WebAssembly query compiler costs a fresh process
   * about 0.3 s).
   */
  override async tail(limit: number, filter: TailFilter = {}): Promise<UsageRecord[]> {
    return (await this.#ready()).pages.tail(limit, filter);
  }

  /** Usage records in the range after `afterId`, in id order, read with the store's own statement. */
  override async usageInRange(range: TimeRange, afterId: number, limit: number): Promise<UsageRecord[]> {
    return (await this.#ready()).pages.page(range, afterId, limit);
  }

  /** Sets the costs in transactions of a few thousand rows (the rollup triggers follow each row), pausing between them for other writers. */
  async updateCosts(changes: readonly CostChange[], onProgress?: ProgressListener): Promise<void> {
    if (changes.length === 0) return;
    const { writes } = await this.#ready();
    try {
      await writes.updateCosts(changes, onProgress);
    } catch (error) {
      throw classifySqliteWriteError(error);
    }
  }

  /** Deletes the matching rows that exist now, oldest id first, a few thousand per transaction (see `SqliteWrites.purge`). */
  async purgeUsage(options: PurgeOptions = {}): Promise<number> {
    return (await this.#ready()).writes.purge(options);
  }

  async importCursor(key: string): Promise<number> {
    return readCounter((this.#open ?? (await this.#ready())).statements, key);
  }

  async importRows(batch: ImportBatch, cursor: ImportCursor): Promise<void> {
    (this.#open ?? (await this.#ready())).writes.importRows(batch, cursor);
  }

  async agentLogFiles(source: string): Promise<AgentLogFile[]> {
    return sqliteAgentLogFiles((await this.#ready()).statements, source);
  }

  async importAgentCalls(calls: readonly AgentCall[], file: AgentLogFile): Promise<AgentImportCounts> {
    const { statements } = this.#open ?? (await this.#ready());
    try {
      return sqliteImportAgentCalls(statements, calls, file);
    } catch (error) {
      throw classifySqliteWriteError(error);
    }
  }

  async registryVersion(): Promise<number> {
    return (this.#open ?? (await this.#ready())).statements.get(SQL.registryVersion, "value").get() as number;
  }

  /** Stored prices through the store's own connection: the facade reads them on tracked calls, and a one-shot `track` should not load the Prisma client for that. */
  override async listPrices(): Promise<ModelPrice[]> {
    return sqlitePrices((this.#open ?? (await this.#ready())).statements);
  }

  /** Limits through the store's own connection: the dashboard and quota checks read them, and a one-shot process should not load the Prisma client for that. */
  override async listLimits(filter: LimitFilter = {}): Promise<UsageLimit[]> {
    return sqliteLimits((await this.#ready()).statements, filter);
  }

  /** The `entries_mutations` counter the update and delete triggers of `accounting_entries` bump. */
  async usageMutations(): Promise<number> {
    return (await this.#ready()).statements.get(SQL.usageMutations, "value").get() as number;
  }

  async limitsVersion(): Promise<number> {
    return (this.#open ?? (await this.#ready())).quotas.limitsVersion();
  }

  /** Stores a limit and registers its usage filter, back-filling the filter's quota buckets now so no check waits for it. */
  async insertLimit(limit: NewUsageLimit): Promise<UsageLimit> {
    const stored = await super.insertLimit(limit);
    const { buckets, alerts } = await this.#ready();
    if (this.#options.readOnly !== true) buckets.filterId(usageFilterFor(stored));
    alerts.invalidate();
    return stored;
  }

  override async deleteLimit(id: number): Promise<boolean> {
    const deleted = await super.deleteLimit(id);
    this.#open?.alerts.invalidate();
    return deleted;
  }

  async sumQuotaUsage(queries: readonly UsageQuery[], now: Date): Promise<QuotaUsage[]> {
    return (await this.#ready()).quotas.sums(queries, now);
  }

  async guardedWrite<T>(_lockKeys: readonly number[], clock: () => Date, build: (now: Date, limitsVersion: number) => GuardedStep<T>): Promise<GuardedOutcome<T>> {
    return (this.#open ?? (await this.#ready())).quotas.guardedWrite(clock, build);
  }

  async commitReservation(reservationId: number, record: NewUsageRecord): Promise<number> {
    return (this.#open ?? (await this.#ready())).quotas.commitReservation(reservationId, record);
  }

  async cancelReservation(reservationId: number): Promise<boolean> {
    return (this.#open ?? (await this.#ready())).quotas.cancelReservation(reservationId);
  }

  async readOnlyQuery(sql: string, options?: QueryStreamOptions): Promise<QueryResult> {
    return collectQueryRows((sink, bounded) => this.streamReadOnlyQuery(sql, sink, bounded), options);
  }

  async streamReadOnlyQuery(sql: string, sink: QueryRowSink, options?: QueryStreamOptions): Promise<QueryStreamSummary> {
    const { connection } = await this.#ready();
    // A file is queried from a child process, the only way to stop a runaway statement.
    if (this.location.kind === "file") return streamSqliteQueryInChild(this.location.path, sql, sink, options);
    return streamInProcess(connection.db, sql, sink, options?.maxRows);
  }
}
