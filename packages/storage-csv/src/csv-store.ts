import { QueryRejectedError, dimensionValue, matchesTagFilter, matchesUsageRecordFilter } from "@llm-accounting/core";
import type {
  AlertDeliveryOutcome, AlertFilter, AlertListener, AuditEntry, AuditFilter, CostChange, GroupUsageTotals, GuardedOutcome, GuardedStep,
  ImportBatch, ImportCursor, LimitFilter, ModelPrice, ModelUsageTotals, NewAuditEntry, NewModelPrice, NewQuotaRejection, NewUsageLimit,
  NewUsageRecord, NewUser, ProgressListener, PurgeOptions, QueryResult, QueryStreamSummary, QuotaRejection, QuotaUsage, StoredAlert,
  TagBreakdownFilter, TailFilter, TimeRange, UsageDimension, UsageLimit, UsageQuery, UsageRecord, UsageRecordFilter, UsageStore, UsageTotals,
  UserChanges, UserRecord
} from "@llm-accounting/core";
import { CsvAlerts } from "./csv-alerts.js";
import { CsvTables, LIMITS_VERSION, REGISTRY_VERSION, USAGE_MUTATIONS, type CsvStoreOptions } from "./csv-tables.js";
import { quotaSums } from "./quota-sums.js";
import * as logs from "./logs.js";
import * as quota from "./quota-writes.js";
import * as registries from "./registries.js";
import * as rewrites from "./usage-rewrites.js";
import { groupTotals, rowsInRange, totalsOf } from "./usage-totals.js";

export type { CsvStoreOptions } from "./csv-tables.js";

/**
 * Usage store on CSV files, one per table, in a directory. Every operation holds the directory
 * lock, so several processes can share one directory: appends are whole records, rewrites go
 * through a rename, and guarded writes sum and write in one locked step. Reports scan rows in
 * memory, so it suits modest volumes; use SQLite or PostgreSQL for millions of rows.
 */
export class CsvStore implements UsageStore {
  readonly description: string;
  readonly contractVersion = 1;
  readonly capabilities = ["groupedSums", "tagSums", "costUpdates", "imports", "alerts", "usageMutations"] as const;
  readonly dir: string;
  readonly #t: CsvTables;
  readonly #alerts: CsvAlerts;

  constructor(options: CsvStoreOptions = {}) {
    this.#t = new CsvTables(options);
    this.#alerts = new CsvAlerts(this.#t);
    this.dir = this.#t.dir;
    this.description = `csv:${this.dir}`;
  }

  open(): Promise<void> {
    return this.#t.open();
  }

  async close(): Promise<void> {
    this.#t.close();
  }

  async insertUsage(record: NewUsageRecord): Promise<number> {
    const { id, raised } = await this.#t.write(() => {
      const id = this.#t.usage.append([record])[0]!.id;
      return { id, raised: this.#alerts.raise([record], new Date()) };
    });
    this.#alerts.emit(raised);
    return id;
  }

  async insertUsageBatch(records: readonly NewUsageRecord[]): Promise<void> {
    // Check every record before writing any, so a bad one leaves the file untouched.
    for (const [i, r] of records.entries()) {
      if (typeof r.model !== "string" || r.model === "") throw new QueryRejectedError(`record ${i}: model must be a non-empty string`);
      if (!(r.timestamp instanceof Date) || Number.isNaN(r.timestamp.getTime())) throw new QueryRejectedError(`record ${i}: invalid timestamp`);
    }
    // One alert check for the whole batch, in the same locked step.
    this.#alerts.emit(await this.#t.write(() => (this.#t.usage.append(records), this.#alerts.raise(records, new Date()))));
  }

  /** Alerts, newest first. */
  listAlerts(filter: AlertFilter = {}): Promise<StoredAlert[]> {
    return this.#alerts.list(filter);
  }

  /** Leases due pending alerts for delivery, under the directory lock. */
  claimAlertDeliveries(now: Date, leaseMs: number, max: number): Promise<StoredAlert[]> {
    return this.#alerts.claimDeliveries(now, leaseMs, max);
  }

  /** Records how a delivery attempt ended. */
  finishAlertDelivery(id: number, outcome: AlertDeliveryOutcome): Promise<void> {
    return this.#alerts.finishDelivery(id, outcome);
  }

  /** Hears the alerts this store object raises. */
  onAlertsRaised(listener: AlertListener): () => void {
    return this.#alerts.onRaised(listener);
  }

  sumUsage(range: TimeRange, filter: UsageRecordFilter = {}): Promise<UsageTotals> {
    return this.#t.locked(() => totalsOf(rowsInRange(this.#t.usage.rows, range, filter)));
  }

  async sumUsageByModel(range: TimeRange, filter: UsageRecordFilter = {}): Promise<ModelUsageTotals[]> {
    return (await this.sumUsageBy(range, "model", filter)).map(({ key, ...totals }) => ({ model: String(key), ...totals }));
  }

  /** Sums per value of a tag key (records without it last, as null). */
  sumUsageByTag(range: TimeRange, key: string, filter: TagBreakdownFilter = {}): Promise<GroupUsageTotals[]> {
    return this.#t.locked(() => {
      const rows = rowsInRange(this.#t.usage.rows, range, filter).filter((row) => matchesTagFilter(filter, row.tags));
      return groupTotals(rows, (row) => row.tags?.[key] ?? null);
    });
  }

  sumUsageBy(range: TimeRange, dimension: UsageDimension, filter: UsageRecordFilter = {}): Promise<GroupUsageTotals[]> {
    return this.#t.locked(() => groupTotals(rowsInRange(this.#t.usage.rows, range, filter), (row) => dimensionValue(row, dimension)));
  }

  usageInRange(range: TimeRange, afterId: number, limit: number): Promise<UsageRecord[]> {
    return this.#t.locked(() =>
      rowsInRange(this.#t.usage.rows, range, {})
        .filter((r) => r.id > afterId)
        .sort((a, b) => a.id - b.id)
        .slice(0, Math.max(0, limit))
        .map((r) => ({ ...r })),
    );
  }

  async updateCosts(changes: readonly CostChange[], onProgress?: ProgressListener): Promise<void> {
    await rewrites.updateCosts(this.#t, changes);
    if (changes.length > 0) onProgress?.(changes.length, changes.length);
  }

  insertPrice(price: NewModelPrice): Promise<ModelPrice> {
    return this.#t.write(() => this.#t.prices.append([{ ...price, cacheWrite1hNanosPerMTok: price.cacheWrite1hNanosPerMTok ?? null, serviceTier: price.serviceTier ?? null, createdAt: new Date() }])[0]!);
  }

  listPrices(): Promise<ModelPrice[]> {
    return this.#t.locked(() =>
      [...this.#t.prices.rows].sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0) || a.effectiveFrom.getTime() - b.effectiveFrom.getTime() || a.id - b.id),
    );
  }

  deletePrice(id: number): Promise<boolean> {
    const prices = this.#t.prices;
    return this.#t.write(() => {
      const kept = prices.rows.filter((p) => p.id !== id);
      if (kept.length === prices.rows.length) return false;
      prices.rewrite(kept);
      return true;
    });
  }

  tail(limit: number, filter: TailFilter = {}): Promise<UsageRecord[]> {
    const { since, until } = filter;
    return this.#t.locked(() =>
      this.#t.usage.rows
        .filter((r) => matchesUsageRecordFilter(filter, r) && matchesTagFilter(filter, r.tags) && (since === undefined || r.timestamp >= since) && (until === undefined || r.timestamp <= until))
        .sort((a, b) => b.timestamp.getTime() - a.timestamp.getTime() || b.id - a.id)
        .slice(0, Math.max(0, limit))
        .map((r) => ({ ...r })),
    );
  }

  /** Rewrites the usage file without the matching records, in one locked rewrite: records appended after it are kept. */
  async purgeUsage(options: PurgeOptions = {}): Promise<number> {
    const count = await rewrites.purgeUsage(this.#t, options);
    options.onProgress?.(count, count);
    return count;
  }

  async readOnlyQuery(_sql: string): Promise<QueryResult> {
    throw new QueryRejectedError("SQL queries are not supported by the CSV store; use the SQLite or PostgreSQL store");
  }

  async streamReadOnlyQuery(sql: string): Promise<QueryStreamSummary> {
    return this.readOnlyQuery(sql).then(() => ({ rowCount: 0, truncated: false }));
  }

  insertLimit(limit: NewUsageLimit): Promise<UsageLimit> {
    return quota.insertLimit(this.#t, limit);
  }

  listLimits(filter: LimitFilter = {}): Promise<UsageLimit[]> {
    return quota.listLimits(this.#t, filter);
  }

  deleteLimit(id: number): Promise<boolean> {
    return quota.deleteLimit(this.#t, id);
  }

  usageMutations(): Promise<number> {
    return this.#t.locked(() => this.#t.counter(USAGE_MUTATIONS));
  }

  limitsVersion(): Promise<number> {
    return this.#t.locked(() => this.#t.counter(LIMITS_VERSION));
  }

  sumQuotaUsage(queries: readonly UsageQuery[], now: Date): Promise<QuotaUsage[]> {
    return this.#t.locked(() => quotaSums(this.#t.usage.rows, this.#t.reservations.rows, queries, now));
  }

  guardedWrite<T>(_lockKeys: readonly number[], clock: () => Date, build: (now: Date, limitsVersion: number) => GuardedStep<T>): Promise<GuardedOutcome<T>> {
    return quota.guardedWrite(this.#t, this.#alerts, clock, build);
  }

  commitReservation(reservationId: number, record: NewUsageRecord): Promise<number> {
    return quota.commitReservation(this.#t, this.#alerts, reservationId, record);
  }

  cancelReservation(reservationId: number): Promise<boolean> {
    return quota.cancelReservation(this.#t, reservationId);
  }

  insertRejection(rejection: NewQuotaRejection): Promise<number> {
    return logs.insertRejection(this.#t, rejection);
  }

  listRejections(session?: string): Promise<QuotaRejection[]> {
    return logs.listRejections(this.#t, session);
  }

  insertAuditEntry(entry: NewAuditEntry): Promise<number> {
    return logs.insertAuditEntry(this.#t, entry);
  }

  listAuditEntries(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    return logs.listAuditEntries(this.#t, filter);
  }

  createProject(name: string): Promise<void> {
    return registries.createProject(this.#t, name);
  }

  listProjects(): Promise<string[]> {
    return registries.listProjects(this.#t);
  }

  renameProject(name: string, newName: string): Promise<boolean> {
    return registries.renameProject(this.#t, name, newName);
  }

  deleteProject(name: string): Promise<boolean> {
    return registries.deleteProject(this.#t, name);
  }

  createUser(user: NewUser, now: Date): Promise<UserRecord> {
    return registries.createUser(this.#t, user, now);
  }

  listUsers(): Promise<UserRecord[]> {
    return registries.listUsers(this.#t);
  }

  updateUser(userName: string, changes: UserChanges): Promise<boolean> {
    return registries.updateUser(this.#t, userName, changes);
  }

  setUserEnabled(userName: string, enabled: boolean, now: Date): Promise<boolean> {
    return registries.setUserEnabled(this.#t, userName, enabled, now);
  }

  registryVersion(): Promise<number> {
    return this.#t.locked(() => this.#t.counter(REGISTRY_VERSION));
  }

  importCursor(key: string): Promise<number> {
    return this.#t.locked(() => this.#t.counter(key));
  }

  importRows(batch: ImportBatch, cursor: ImportCursor): Promise<void> {
    const t = this.#t;
    return t.write(() => {
      if (batch.kind === "usage") t.usage.append(batch.rows);
      else if (batch.kind === "audit") t.audit.append(batch.rows);
      else t.rejections.append(batch.rows);
      t.setCounter(cursor.key, cursor.value);
    });
  }
}
