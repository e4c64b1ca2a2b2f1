import { AlertListeners, QueryRejectedError, dimensionValue, matchesTagFilter, matchesUsageRecordFilter } from "@llm-accounting/core";
import type { AgentCall, AgentImportCounts, AgentLogFile, AlertDeliveryOutcome, AlertFilter, AlertListener, AuditEntry, AuditFilter, CostChange } from "@llm-accounting/core";
import type { GroupUsageTotals, GuardedOutcome, GuardedStep, ImportBatch, ImportCursor, LimitFilter, ModelPrice, ModelUsageTotals, NewAuditEntry } from "@llm-accounting/core";
import type { NewModelPrice, NewQuotaRejection, NewUsageLimit, NewUsageRecord, NewUser, ProgressListener, PurgeOptions, QueryResult } from "@llm-accounting/core";
import type { QueryStreamSummary, QuotaRejection, QuotaUsage, StoredAlert, TagBreakdownFilter, TailFilter, TimeRange, UsageDimension } from "@llm-accounting/core";
import type { UsageLimit, UsageQuery, UsageRecord, UsageRecordFilter, UsageStore, UsageTotals, UserChanges, UserRecord } from "@llm-accounting/core";
import { claimAlerts, finishAlert, listAlerts, raiseAlertsFor } from "./memory-alerts.js";
import { MemoryData } from "./memory-data.js";
import * as registries from "./memory-registries.js";
import { appendRecords, checkRecord, copyRecord, importAgentCalls, insertLimit, listLimits, listPrices, purgeUsage, tailRows, updateCosts } from "./memory-rows.js";
import { groupTotals, quotaSums, totalsOf } from "./memory-totals.js";

/** Options of the memory store. */
export interface MemoryStoreOptions {
  /** The data to work on: another memory store's `data` to share it (a second connection); fresh when absent. */
  readonly data?: MemoryData;
}

/**
 * The reference implementation of the store contract: everything in process memory, nothing
 * persisted. It passes the whole contract kit, so it is the worked example to read next to
 * `UsageStore` when writing a store, and a quick store for tests of code built on `Accounting`.
 *
 * Atomicity comes for free here, and that is the one thing a real store must work for: every
 * method does its reading and writing in one synchronous stretch, without an `await` in the
 * middle, so no other call can interleave. A database store gets the same guarantee from a
 * transaction (and, for `guardedWrite`, a lock that other processes take too).
 */
export class MemoryStore implements UsageStore {
  readonly description = "memory";
  readonly contractVersion = 1;
  readonly capabilities = ["groupedSums", "tagSums", "costUpdates", "imports", "agentImport", "alerts", "usageMutations"] as const;
  /** The tables; pass them to another `MemoryStore` to share them. */
  readonly data: MemoryData;
  // Listeners belong to this store object, as a connection's do: another store over the same
  // data hears only the alerts its own writes raise.
  readonly #listeners = new AlertListeners();

  constructor(options: MemoryStoreOptions = {}) {
    this.data = options.data ?? new MemoryData();
  }

  // Nothing to connect to or migrate; both stay callable any number of times, as the contract asks.
  async open(): Promise<void> {}
  async close(): Promise<void> {}

  async insertUsage(record: NewUsageRecord): Promise<number> {
    const [id] = appendRecords(this.data, [record]);
    this.#listeners.emit(raiseAlertsFor(this.data, [record], new Date()));
    return id!;
  }

  async insertUsageBatch(records: readonly NewUsageRecord[]): Promise<void> {
    appendRecords(this.data, records);
    // One alert check for the whole batch: a threshold crossed twice within it is alerted once.
    this.#listeners.emit(raiseAlertsFor(this.data, records, new Date()));
  }

  async sumUsage(range: TimeRange, filter: UsageRecordFilter = {}): Promise<UsageTotals> {
    return totalsOf(this.#inRange(range, filter));
  }

  async sumUsageByModel(range: TimeRange, filter: UsageRecordFilter = {}): Promise<ModelUsageTotals[]> {
    return groupTotals(this.#inRange(range, filter), (r) => r.model).map(({ key, ...totals }) => ({ model: key!, ...totals }));
  }

  async sumUsageBy(range: TimeRange, dimension: UsageDimension, filter: UsageRecordFilter = {}): Promise<GroupUsageTotals[]> {
    return groupTotals(this.#inRange(range, filter), (r) => dimensionValue(r, dimension));
  }

  async sumUsageByTag(range: TimeRange, key: string, filter: TagBreakdownFilter = {}): Promise<GroupUsageTotals[]> {
    const rows = this.#inRange(range, filter).filter((r) => matchesTagFilter(filter, r.tags));
    return groupTotals(rows, (r) => r.tags?.[key] ?? null);
  }

  async tail(limit: number, filter: TailFilter = {}): Promise<UsageRecord[]> {
    return tailRows(this.data, limit, filter);
  }

  async usageInRange(range: TimeRange, afterId: number, limit: number): Promise<UsageRecord[]> {
    // `data.usage` is in id order already: paging by id needs no sort.
    return this.#inRange(range, {}).filter((r) => r.id > afterId).slice(0, Math.max(0, limit)).map(copyRecord);
  }

  async updateCosts(changes: readonly CostChange[], onProgress?: ProgressListener): Promise<void> {
    updateCosts(this.data, changes);
    if (changes.length > 0) onProgress?.(changes.length, changes.length);
  }

  async purgeUsage(options: PurgeOptions = {}): Promise<number> {
    const count = purgeUsage(this.data, options);
    options.onProgress?.(count, count);
    return count;
  }

  // No SQL engine: the contract lets a store declare that (`capabilities.sql: false`) and asks it
  // to refuse every query with QueryRejectedError rather than guess.
  async readOnlyQuery(): Promise<QueryResult> {
    throw new QueryRejectedError("SQL queries are not supported by the memory store");
  }

  async streamReadOnlyQuery(): Promise<QueryStreamSummary> {
    throw new QueryRejectedError("SQL queries are not supported by the memory store");
  }

  async insertLimit(limit: NewUsageLimit): Promise<UsageLimit> {
    return insertLimit(this.data, limit, new Date());
  }

  async listLimits(filter: LimitFilter = {}): Promise<UsageLimit[]> {
    return listLimits(this.data, filter);
  }

  async deleteLimit(id: number): Promise<boolean> {
    const kept = this.data.limits.filter((l) => l.id !== id);
    if (kept.length === this.data.limits.length) return false;
    this.data.limits = kept;
    this.data.limitsVersion++;
    return true;
  }

  async limitsVersion(): Promise<number> {
    return this.data.limitsVersion;
  }

  async usageMutations(): Promise<number> {
    return this.data.usageMutations;
  }

  async sumQuotaUsage(queries: readonly UsageQuery[], now: Date): Promise<QuotaUsage[]> {
    return quotaSums(this.data.usage, this.data.reservations, queries, now);
  }

  async guardedWrite<T>(_lockKeys: readonly number[], clock: () => Date, build: (now: Date, limitsVersion: number) => GuardedStep<T>): Promise<GuardedOutcome<T>> {
    // From here to the return nothing awaits: that is the lock. The clock is read only now, so
    // rows written by calls that ran before this one fall inside its windows.
    const now = clock();
    const { queries, decide } = build(now, this.data.limitsVersion);
    const { result, write } = decide(quotaSums(this.data.usage, this.data.reservations, queries, now));
    switch (write.kind) {
      case "usage": {
        const [id] = appendRecords(this.data, [write.record]);
        this.#listeners.emit(raiseAlertsFor(this.data, [write.record], now));
        return { result, id: id! };
      }
      case "reservation": {
        // Expired reservations no longer count; sweeping them when adding one keeps the table small.
        this.data.reservations = this.data.reservations.filter((r) => r.expiresAt.getTime() > now.getTime());
        const id = this.data.nextId("reservations");
        this.data.reservations.push({ ...write.reservation, id });
        return { result, id };
      }
      case "rejection":
        return { result, id: registries.addRejection(this.data, write.rejection) };
      case "none":
        return { result, id: null };
    }
  }

  async commitReservation(reservationId: number, record: NewUsageRecord): Promise<number> {
    // Checked before the reservation goes: a refused record must leave the budget held.
    checkRecord(record);
    this.data.reservations = this.data.reservations.filter((r) => r.id !== reservationId);
    const [id] = appendRecords(this.data, [record]);
    this.#listeners.emit(raiseAlertsFor(this.data, [record], new Date()));
    return id!;
  }

  async cancelReservation(reservationId: number): Promise<boolean> {
    const kept = this.data.reservations.filter((r) => r.id !== reservationId);
    if (kept.length === this.data.reservations.length) return false;
    this.data.reservations = kept;
    return true;
  }

  async insertRejection(rejection: NewQuotaRejection): Promise<number> {
    return registries.addRejection(this.data, rejection);
  }

  async listRejections(session?: string): Promise<QuotaRejection[]> {
    return registries.listRejections(this.data, session);
  }

  async insertAuditEntry(entry: NewAuditEntry): Promise<number> {
    return registries.addAuditEntry(this.data, entry);
  }

  async listAuditEntries(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    return registries.listAuditEntries(this.data, filter);
  }

  async createProject(name: string): Promise<void> {
    registries.createProject(this.data, name);
  }

  async listProjects(): Promise<string[]> {
    return [...this.data.projects].sort();
  }

  async renameProject(name: string, newName: string): Promise<boolean> {
    return registries.renameProject(this.data, name, newName);
  }

  async deleteProject(name: string): Promise<boolean> {
    return registries.deleteProject(this.data, name);
  }

  async createUser(user: NewUser, now: Date): Promise<UserRecord> {
    return registries.createUser(this.data, user, now);
  }

  async listUsers(): Promise<UserRecord[]> {
    return registries.listUsers(this.data);
  }

  async updateUser(userName: string, changes: UserChanges): Promise<boolean> {
    return registries.updateUser(this.data, userName, changes);
  }

  async setUserEnabled(userName: string, enabled: boolean, now: Date): Promise<boolean> {
    return registries.setUserEnabled(this.data, userName, enabled, now);
  }

  async registryVersion(): Promise<number> {
    return this.data.registryVersion;
  }

  async importCursor(key: string): Promise<number> {
    return this.data.importCursors.get(key) ?? 0;
  }

  async importRows(batch: ImportBatch, cursor: ImportCursor): Promise<void> {
    // Rows and cursor move together, so an import stopped anywhere resumes without copying twice.
    if (batch.kind === "usage") appendRecords(this.data, batch.rows);
    else if (batch.kind === "audit") for (const entry of batch.rows) registries.addAuditEntry(this.data, entry);
    else for (const rejection of batch.rows) registries.addRejection(this.data, rejection);
    this.data.importCursors.set(cursor.key, cursor.value);
  }

  async agentLogFiles(source: string): Promise<AgentLogFile[]> {
    return [...this.data.agentFiles.values()].filter((f) => f.source === source).map((f) => ({ ...f }));
  }

  async importAgentCalls(calls: readonly AgentCall[], file: AgentLogFile): Promise<AgentImportCounts> {
    return importAgentCalls(this.data, calls, file);
  }

  async insertPrice(price: NewModelPrice): Promise<ModelPrice> {
    const stored: ModelPrice = { ...price, cacheWrite1hNanosPerMTok: price.cacheWrite1hNanosPerMTok ?? null, id: this.data.nextId("prices"), createdAt: new Date() };
    this.data.prices.push(stored);
    return { ...stored };
  }

  async listPrices(): Promise<ModelPrice[]> {
    return listPrices(this.data);
  }

  async deletePrice(id: number): Promise<boolean> {
    const kept = this.data.prices.filter((p) => p.id !== id);
    if (kept.length === this.data.prices.length) return false;
    this.data.prices = kept;
    return true;
  }

  async listAlerts(filter: AlertFilter = {}): Promise<StoredAlert[]> {
    return listAlerts(this.data, filter);
  }

  async claimAlertDeliveries(now: Date, leaseMs: number, max: number): Promise<StoredAlert[]> {
    return claimAlerts(this.data, now, leaseMs, max);
  }

  async finishAlertDelivery(id: number, outcome: AlertDeliveryOutcome): Promise<void> {
    finishAlert(this.data, id, outcome);
  }

  onAlertsRaised(listener: AlertListener): () => void {
    return this.#listeners.add(listener);
  }

  /** Rows in the range (both ends included) that pass the filter, in id order. */
  #inRange(range: TimeRange, filter: UsageRecordFilter): UsageRecord[] {
    const start = range.start.getTime();
    const end = range.end.getTime();
    return this.data.usage.filter((r) => r.timestamp.getTime() >= start && r.timestamp.getTime() <= end && matchesUsageRecordFilter(filter, r));
  }
}
