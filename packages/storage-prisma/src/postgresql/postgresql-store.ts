import type pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { AlertListeners, collectQueryRows, usageFilterFor } from "@llm-accounting/core";
import type {
  AgentCall, AgentImportCounts, AgentLogFile, AlertDeliveryOutcome, AlertFilter, AlertListener, CostChange,
  GroupUsageTotals, GuardedOutcome, GuardedStep, ImportBatch, ImportCursor, LimitFilter, ModelUsageTotals,
  NewUsageLimit, NewUsageRecord, ProgressListener, PurgeOptions, QueryResult, QueryRowSink, QueryStreamOptions,
  QueryStreamSummary, QuotaUsage, StoredAlert, TagBreakdownFilter, TimeRange, UsageDimension, UsageLimit,
  UsageQuery, UsageRecordFilter, UsageStore, UsageTotals,
} from "@llm-accounting/core";
import type { PrismaClient } from "../generated/postgresql/client.js";
import { PrismaModelStore, type PrismaModels } from "../shared/prisma-model-store.js";
import { limitFromRow as limitFromSqlRow, listLimitsSql } from "../shared/limit-row.js";
import { pgAgentLogFiles } from "./agent-import.js";
import { redactConnectionString, resolveConnectionString } from "./connection-string.js";
import { PgAlerts } from "./pg-alerts.js";
import { importAgentCalls, importRows, insertBatch, purgeUsage, updateCosts } from "./pg-bulk-writes.js";
import { inTransaction } from "./pg-connection.js";
import { classifyMethodErrors, classifyPgError } from "./pg-errors.js";
import { PgGuardedWriter } from "./pg-guarded-writer.js";
import { PgQuotaBuckets } from "./pg-quota-buckets.js";
import { INSERT_SQL, insertParams } from "./pg-row-sql.js";
import { PgUsageReports } from "./pg-usage-reports.js";
import { LIMITS_VERSION_SQL } from "../shared/quota-buckets.js";
import { LIMITS_WITH_VERSION_SQL, openPgPool, pgClientTypes, type PostgresqlStoreOptions } from "./pg-pool.js";

export type { PostgresqlStoreOptions };
import { streamReadOnlyPgQuery } from "./read-only-query.js";
import { retryConflicts } from "./retry-conflicts.js";

// Not classified: open and close report their own errors; readOnlyQuery reports QueryRejectedError;
// the accessors hand out the raw client and pool.
const UNCLASSIFIED_METHODS = new Set(["open", "close", "readOnlyQuery", "streamReadOnlyQuery", "models", "prisma", "pool"]);

/**
 * Usage store on PostgreSQL. One `pg` pool serves Prisma (through @prisma/adapter-pg) and the
 * statements Prisma cannot express: sums, multi-statement migrations, read-only transactions.
 */
export class PostgresqlStore extends PrismaModelStore implements UsageStore {
  readonly description: string;
  readonly contractVersion = 1;
  readonly capabilities = ["groupedSums", "tagSums", "taggedSums", "costUpdates", "imports", "agentImport", "alerts", "usageMutations", "versionedLimits", "versionedQuotaSums"] as const;
  readonly #connectionString: string;
  readonly #options: PostgresqlStoreOptions;
  #pool: pg.Pool | undefined;
  #prisma: Promise<PrismaClient> | undefined;
  #opening: Promise<void> | undefined;
  readonly #quotaBuckets: PgQuotaBuckets;
  readonly #alertListeners = new AlertListeners();
  readonly #alerts: PgAlerts;
  readonly #writer: PgGuardedWriter;
  readonly #reports = new PgUsageReports((sql, params) => this.#query(sql, params));

  constructor(options: PostgresqlStoreOptions = {}) {
    super();
    this.#options = options;
    const batched = options.batchRoundTrips !== false;
    this.#connectionString = resolveConnectionString(options.connectionString);
    this.#quotaBuckets = new PgQuotaBuckets(options.readOnly !== true, batched);
    this.#alerts = new PgAlerts({
      pool: () => this.pool(),
      buckets: this.#quotaBuckets,
      limitsVersion: () => this.limitsVersion(),
      limits: () => this.listLimits(),
      listeners: this.#alertListeners,
    });
    this.#writer = new PgGuardedWriter({ pool: () => this.pool(), buckets: this.#quotaBuckets, alerts: this.#alerts, batched });
    this.description = `postgresql:${redactConnectionString(this.#connectionString)}`;
    // An open store losing its server (an outage, a restart, a dropped connection) reports
    // StoreUnavailableError from every method, and a value the server refuses RecordRejectedError.
    const where = redactConnectionString(this.#connectionString);
    classifyMethodErrors(this, UNCLASSIFIED_METHODS, (error) => classifyPgError(error, where));
  }

  protected async models(): Promise<PrismaModels> {
    return this.prisma();
  }

  /** The Prisma client over this store's pool (opens the store). */
  async prisma(): Promise<PrismaClient> {
    await this.open();
    // Created on first use: the client loads a WebAssembly query compiler the hot paths never need.
    this.#prisma ??= import("../generated/postgresql/client.js").then(({ PrismaClient }) => new PrismaClient({ adapter: new PrismaPg(this.#pool!) }));
    return this.#prisma;
  }

  /** The `pg` pool (opens the store). */
  async pool(): Promise<pg.Pool> {
    await this.open();
    return this.#pool!;
  }

  open(): Promise<void> {
    this.#opening ??= this.#open().catch((error: unknown) => {
      this.#opening = undefined;
      throw error;
    });
    return this.#opening;
  }

  async #open(): Promise<void> {
    this.#pool = await openPgPool(this.#connectionString, this.#options, this.#quotaBuckets);
  }

  async close(): Promise<void> {
    const opening = this.#opening;
    this.#opening = undefined;
    if (!opening) return;
    await opening.catch(() => undefined);
    const prisma = this.#prisma;
    if (prisma) await (await prisma.catch(() => undefined))?.$disconnect();
    await this.#pool?.end();
    this.#prisma = undefined;
    this.#pool = undefined;
  }

  async #query<T>(sql: string, params: unknown[]): Promise<pg.QueryResult<T & pg.QueryResultRow>> {
    await this.open();
    return this.#pool!.query<T & pg.QueryResultRow>(sql, params);
  }

  async insertUsage(record: NewUsageRecord): Promise<number> {
    const pool = await this.pool();
    const rules = await this.#alerts.rulesFor([record]);
    // No limit with thresholds counts this row: one autocommit statement, as without alerts.
    if (rules.length === 0) return Number((await retryConflicts(() => pool.query<{ id: number }>(INSERT_SQL, insertParams(record)))).rows[0]!.id);
    const { id, raised } = await retryConflicts(() =>
      inTransaction(pool, async (client) => {
        const id = Number((await client.query<{ id: number }>(INSERT_SQL, insertParams(record))).rows[0]!.id);
        return { id, raised: await this.#alerts.raise(client, rules, [record], new Date()) };
      }),
    );
    this.#alerts.emit(raised);
    return id;
  }

  async insertUsageBatch(records: readonly NewUsageRecord[]): Promise<void> {
    const pool = await this.pool();
    const rules = await this.#alerts.rulesFor(records);
    this.#alerts.emit(await retryConflicts(() => insertBatch(pool, this.#alerts, records, rules)));
  }

  /** Alerts, newest first. */
  async listAlerts(filter?: AlertFilter): Promise<StoredAlert[]> {
    return this.#alerts.list(await this.pool(), filter);
  }

  /** Leases due pending alerts for delivery (one conditional UPDATE, SKIP LOCKED). */
  async claimAlertDeliveries(now: Date, leaseMs: number, max: number): Promise<StoredAlert[]> {
    return this.#alerts.claim(await this.pool(), now, leaseMs, max);
  }

  /** Records how a delivery attempt ended. */
  async finishAlertDelivery(id: number, outcome: AlertDeliveryOutcome): Promise<void> {
    await this.#alerts.finish(await this.pool(), id, outcome);
  }

  /** Hears the alerts this store object raises. */
  onAlertsRaised(listener: AlertListener): () => void {
    return this.#alertListeners.add(listener);
  }

  /** One bounded transaction per 5,000 changes (see pg-bulk-writes.ts). */
  async updateCosts(changes: readonly CostChange[], onProgress?: ProgressListener): Promise<void> {
    return updateCosts(await this.pool(), changes, onProgress);
  }

  /** Deletes the matching rows that exist now, one bounded transaction at a time (see pg-bulk-writes.ts). */
  async purgeUsage(options: PurgeOptions = {}): Promise<number> {
    return purgeUsage(await this.pool(), options);
  }

  /** See `UsageStore.sumUsage`. */
  sumUsage(range: TimeRange, filter: UsageRecordFilter = {}): Promise<UsageTotals> {
    return this.#reports.sumUsage(range, filter);
  }

  /** See `UsageStore.sumUsageByModel`. */
  sumUsageByModel(range: TimeRange, filter: UsageRecordFilter = {}): Promise<ModelUsageTotals[]> {
    return this.#reports.sumUsageByModel(range, filter);
  }

  /** See `UsageStore.sumUsageBy`. */
  sumUsageBy(range: TimeRange, dimension: UsageDimension, filter: UsageRecordFilter = {}): Promise<GroupUsageTotals[]> {
    return this.#reports.sumUsageBy(range, dimension, filter);
  }

  /** Sums per value of a tag key (records without it last, as null). */
  sumUsageByTag(range: TimeRange, key: string, filter: TagBreakdownFilter = {}): Promise<GroupUsageTotals[]> {
    return this.#reports.sumUsageByTag(range, key, filter);
  }

  /** Sums narrowed by tags, per value of a column (null: one group). */
  sumTaggedUsage(range: TimeRange, dimension: UsageDimension | null, filter: TagBreakdownFilter): Promise<GroupUsageTotals[]> {
    return this.#reports.sumTaggedUsage(range, dimension, filter);
  }

  async importCursor(key: string): Promise<number> {
    const result = await this.#query<{ value: bigint }>("SELECT value FROM store_counters WHERE key = $1", [key]);
    return Number(result.rows[0]?.value ?? 0);
  }

  async importRows(batch: ImportBatch, cursor: ImportCursor): Promise<void> {
    return importRows(await this.pool(), batch, cursor);
  }

  async agentLogFiles(source: string): Promise<AgentLogFile[]> {
    return pgAgentLogFiles((sql, params) => this.#query(sql, params), source);
  }

  /** Under the lock batches take, retried like batches (see pg-bulk-writes.ts). */
  async importAgentCalls(calls: readonly AgentCall[], file: AgentLogFile): Promise<AgentImportCounts> {
    return importAgentCalls(await this.pool(), calls, file);
  }

  async registryVersion(): Promise<number> {
    const result = await this.#query<{ value: bigint }>("SELECT value FROM store_counters WHERE key = 'registry_version'", []);
    return Number(result.rows[0]?.value ?? 0);
  }

  /** The `entries_mutations` counter the update/delete trigger of `accounting_entries` bumps. */
  async usageMutations(): Promise<number> {
    const result = await this.#query<{ value: bigint }>("SELECT value FROM store_counters WHERE key = 'entries_mutations'", []);
    return Number(result.rows[0]?.value ?? 0);
  }

  async limitsVersion(): Promise<number> {
    const result = await this.#query<{ value: bigint }>(LIMITS_VERSION_SQL, []);
    this.#writer.limitsVersionSeen = Number(result.rows[0]?.value ?? 0);
    return this.#writer.limitsVersionSeen;
  }

  async limitsWithVersion(): Promise<{ limits: UsageLimit[]; version: number }> {
    // One statement, so one snapshot: the version is the one these limits were read at.
    const rows = (await this.#query<Record<string, unknown>>(LIMITS_WITH_VERSION_SQL, [])).rows;
    this.#writer.limitsVersionSeen = Number(rows[0]?.limits_version ?? 0);
    return { limits: rows.filter((r) => r.id !== null).map((r) => limitFromSqlRow(r, (value) => value as Date)), version: this.#writer.limitsVersionSeen };
  }

  /** Limits matching the filter, oldest first: one plain query (a check must not wait for the Prisma client to load). */
  override async listLimits(filter: LimitFilter = {}): Promise<UsageLimit[]> {
    const { sql, params } = listLimitsSql(filter, (n) => `$${n}`);
    return (await this.#query<Record<string, unknown>>(sql, params)).rows.map((r) => limitFromSqlRow(r, (value) => value as Date));
  }

  /** Stores a limit and registers its usage filter, back-filling the filter's quota buckets now so no check waits for it. */
  async insertLimit(limit: NewUsageLimit): Promise<UsageLimit> {
    const stored = await super.insertLimit(limit);
    await this.#quotaBuckets.registerFilter(await this.pool(), usageFilterFor(stored));
    this.#alerts.invalidate();
    return stored;
  }

  override async deleteLimit(id: number): Promise<boolean> {
    const deleted = await super.deleteLimit(id);
    this.#alerts.invalidate();
    return deleted;
  }

  async sumQuotaUsage(queries: readonly UsageQuery[], now: Date): Promise<QuotaUsage[]> {
    if (queries.length === 0) return [];
    const pool = await this.pool();
    const ids = await this.#quotaBuckets.filterIds(pool, queries, { pool });
    return this.#quotaBuckets.sums(pool, queries, ids, now);
  }

  async sumQuotaUsageVersioned(queries: readonly UsageQuery[], now: Date): Promise<{ usage: QuotaUsage[]; limitsVersion: number }> {
    const pool = await this.pool();
    const ids = await this.#quotaBuckets.filterIds(pool, queries, { pool });
    const sums = await this.#quotaBuckets.sumsWithLimitsVersion(pool, queries, ids, now);
    this.#writer.limitsVersionSeen = sums.limitsVersion;
    return sums;
  }

  /** See `UsageStore.guardedWrite` (pg-guarded-writer.ts). */
  async guardedWrite<T>(lockKeys: readonly number[], clock: () => Date, build: (now: Date, limitsVersion: number) => GuardedStep<T>): Promise<GuardedOutcome<T>> {
    return this.#writer.guardedWrite(lockKeys, clock, build);
  }

  /** Replaces a reservation by its usage in one transaction (pg-guarded-writer.ts). */
  async commitReservation(reservationId: number, record: NewUsageRecord): Promise<number> {
    return this.#writer.commitReservation(reservationId, record);
  }

  async cancelReservation(reservationId: number): Promise<boolean> {
    return ((await this.#query("DELETE FROM quota_reservations WHERE id = $1", [reservationId])).rowCount ?? 0) > 0;
  }

  async readOnlyQuery(sql: string, options?: QueryStreamOptions): Promise<QueryResult> {
    return collectQueryRows((sink, bounded) => this.streamReadOnlyQuery(sql, sink, bounded), options);
  }

  async streamReadOnlyQuery(sql: string, sink: QueryRowSink, options?: QueryStreamOptions): Promise<QueryStreamSummary> {
    await this.open();
    // A connection of its own, closed afterwards: see read-only-query.ts for what is guaranteed.
    const config = { connectionString: this.#connectionString, connectionTimeoutMillis: this.#options.connectTimeoutMs ?? 5_000, types: pgClientTypes() };
    return streamReadOnlyPgQuery(config, sql, sink, options);
  }
}
