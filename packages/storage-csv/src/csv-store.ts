import { accessSync, constants, mkdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  type CostChange,
  type ProgressListener,
  type PurgeOptions,
  type ModelPrice,
  type NewModelPrice,
  ConflictError,
  EMPTY_TOTALS,
  QueryRejectedError,
  StoreUnavailableError,
  ValidationError,
  usageFilterMatches,
  type AuditEntry,
  type AuditFilter,
  type GroupUsageTotals,
  type GuardedOutcome,
  type GuardedStep,
  type ImportBatch,
  type ImportCursor,
  type LimitFilter,
  type ModelUsageTotals,
  type NewAuditEntry,
  type NewQuotaRejection,
  type NewUsageLimit,
  type NewUsageRecord,
  type NewUser,
  type QueryResult,
  type QueryStreamSummary,
  type QuotaRejection,
  type QuotaUsage,
  type HeldUsage,
  amountOfType,
  matchesTagFilter,
  matchesUsageRecordFilter,
  rowsReachingAt,
  withReleases,
  type TimeRange,
  type UsageDimension,
  type UsageLimit,
  type UsageQuery,
  type UsageRecord,
  type TailFilter,
  type UsageRecordFilter,
  type TagBreakdownFilter,
  type UsageStore,
  type UsageTotals,
  type UserChanges,
  type UserRecord,
  AlertListeners,
  alertRulesOf,
  raiseAlertsSync,
  rulesMatching,
  type AlertDeliveryOutcome,
  type AlertFilter,
  type AlertListener,
  type AlertRule,
  type FilterableUsage,
  type NewAlert,
  type StoredAlert,
} from "@llm-accounting/core";
import { alertCodec, type AlertRow } from "./codecs.js";
import { auditCodec, counterCodec, limitCodec, priceCodec, projectCodec, rejectionCodec, reservationCodec, usageCodec, userCodec, type CounterRow, type ReservationRow } from "./codecs.js";
import { DirLock } from "./dir-lock.js";
import { TableFile } from "./table-file.js";

/** Options of the CSV store. */
export interface CsvStoreOptions {
  /** The data directory, created if missing. Default `data/` under the working directory. */
  readonly dir?: string;
  /**
   * `normal` (default): an acknowledged record survives a crash of the process (as SQLite's
   * default). `full`: every append is fsynced, so it also survives power loss or an OS crash.
   */
  readonly durability?: "normal" | "full";
  /**
   * Only read (default false): the directory must exist already (a mistyped path is an error, not
   * a new empty store), no file is created or changed, and every write rejects.
   */
  readonly readOnly?: boolean;
  /** Told once per wait, after a second, what a call waits for (the lock's holder): e.g. print it on stderr. */
  readonly onLockWait?: (message: string) => void;
  /**
   * How long a lock whose owner cannot be checked (a process on another host sharing the directory
   * over a network file system) may go unrefreshed before it is taken over. Default 60 s. A lock
   * whose owner died on this machine is taken over at once.
   */
  readonly lockStaleMs?: number;
}

const LIMITS_VERSION = "limits_version";
// Bumped before usage records are changed or deleted (as the SQL stores' triggers do).
const USAGE_MUTATIONS = "entries_mutations";
const REGISTRY_VERSION = "registry_version";

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
  readonly #lock: DirLock;
  readonly #usage: TableFile<UsageRecord>;
  readonly #limits: TableFile<UsageLimit>;
  readonly #reservations: TableFile<ReservationRow>;
  readonly #rejections: TableFile<QuotaRejection>;
  readonly #audit: TableFile<AuditEntry>;
  readonly #projects: TableFile<{ id: number; name: string }>;
  readonly #users: TableFile<UserRecord>;
  readonly #counters: TableFile<CounterRow>;
  readonly #prices: TableFile<ModelPrice>;
  readonly #alerts: TableFile<AlertRow>;
  readonly #alertListeners = new AlertListeners();
  #alertRules: { version: number; rules: AlertRule[] } | null = null;
  readonly #readOnly: boolean;
  #opened = false;

  constructor(options: CsvStoreOptions = {}) {
    this.dir = resolve(options.dir ?? "data");
    this.description = `csv:${this.dir}`;
    this.#readOnly = options.readOnly ?? false;
    this.#lock = new DirLock(this.dir, { staleMs: options.lockStaleMs, onWait: options.onLockWait });
    const file = (name: string) => join(this.dir, `${name}.csv`);
    const fsync = options.durability === "full";
    const ro = this.#readOnly;
    this.#usage = new TableFile(file("accounting_entries"), usageCodec, fsync, ro);
    this.#limits = new TableFile(file("usage_limits"), limitCodec, fsync, ro);
    this.#reservations = new TableFile(file("quota_reservations"), reservationCodec, fsync, ro);
    this.#rejections = new TableFile(file("quota_rejections"), rejectionCodec, fsync, ro);
    this.#audit = new TableFile(file("audit_log_entries"), auditCodec, fsync, ro);
    this.#projects = new TableFile(file("projects"), projectCodec, fsync, ro);
    this.#users = new TableFile(file("users"), userCodec, fsync, ro);
    this.#counters = new TableFile(file("store_counters"), counterCodec, fsync, ro);
    this.#prices = new TableFile(file("model_prices"), priceCodec, fsync, ro);
    this.#alerts = new TableFile(file("alerts"), alertCodec, fsync, ro);
  }

  get #tables(): TableFile<{ id: number }>[] {
    return [this.#usage, this.#limits, this.#reservations, this.#rejections, this.#audit, this.#projects, this.#users, this.#counters, this.#prices, this.#alerts] as TableFile<{ id: number }>[];
  }

  async open(): Promise<void> {
    if (this.#opened) return;
    if (this.#readOnly) {
      // Nothing to create or upgrade: a reader takes the files as they are.
      if (!statSync(this.dir, { throwIfNoEntry: false })?.isDirectory()) {
        throw new ValidationError("dir", `"${this.dir}" is not an existing CSV directory: nothing has been recorded there (check the path)`);
      }
      this.#opened = true;
      return;
    }
    try {
      mkdirSync(this.dir, { recursive: true });
      accessSync(this.dir, constants.W_OK);
    } catch (error) {
      throw new StoreUnavailableError(`cannot use the CSV directory ${this.dir}: ${(error as Error).message}`, { cause: error });
    }
    await this.#lock.run(() => {
      for (const table of this.#tables) table.ensure();
    });
    this.#opened = true;
  }

  async close(): Promise<void> {
    this.#opened = false;
  }

  /** Runs `work` under the directory lock with every table up to date. */
  async #locked<T>(work: () => T): Promise<T> {
    await this.open();
    return this.#lock[this.#readOnly ? "runShared" : "run"](() => {
      for (const table of this.#tables) table.refresh();
      return work();
    });
  }

  /**
   * Runs a writing `work` like #locked, all or nothing: if any step throws (a full disk), the
   * rows it appended to any table are truncated away before the error reaches the caller.
   */
  #write<T>(work: () => T): Promise<T> {
    if (this.#readOnly) return Promise.reject(new StoreUnavailableError(`the CSV store ${this.dir} was opened read-only`));
    return this.#locked(() => {
      for (const table of this.#tables) table.begin();
      try {
        return work();
      } catch (error) {
        for (const table of this.#tables) table.undo();
        throw error;
      }
    });
  }

  async insertUsage(record: NewUsageRecord): Promise<number> {
    const { id, raised } = await this.#write(() => {
      const id = this.#usage.append([record])[0]!.id;
      return { id, raised: this.#raiseAlerts([record], new Date()) };
    });
    this.#alertListeners.emit(raised);
    return id;
  }

  /** The limits with alert thresholds whose filter counts the rows; read again when the limits version moved. Call under the lock. */
  #alertRulesFor(rows: readonly FilterableUsage[]): AlertRule[] {
    const version = this.#counter(LIMITS_VERSION);
    if (this.#alertRules?.version !== version) this.#alertRules = { version, rules: alertRulesOf(this.#limits.rows) };
    return rulesMatching(this.#alertRules.rules, rows);
  }

  /** Raises the alerts the rows just appended made due, in the same locked step. */
  #raiseAlerts(rows: readonly FilterableUsage[], now: Date): StoredAlert[] {
    const rules = this.#alertRulesFor(rows);
    if (rules.length === 0) return [];
    return raiseAlertsSync(rules, rows, now, {
      sums: (queries, at) => this.#quotaSums(queries, at),
      isRaised: (c) =>
        this.#alerts.rows.some(
          (a) => a.limitId === c.rule.limit.id && a.threshold === c.threshold && (a.windowKey === c.window.key || (c.window.quietSince !== null && a.createdAt.getTime() >= c.window.quietSince.getTime())),
        ),
      insert: (alert: NewAlert) => {
        // Under the directory lock nobody else can add the same key between the check and the append.
        if (this.#alerts.rows.some((a) => a.limitId === alert.limitId && a.threshold === alert.threshold && a.windowKey === alert.windowKey)) return null;
        const row = { ...alert, deliveryState: "pending" as const, attempts: 0, nextAttemptAt: null, leaseUntil: null, deliveredAt: null, lastError: null };
        return publicAlert(this.#alerts.append([row])[0]!);
      },
    });
  }

  /** Alerts, newest first. */
  listAlerts(filter: AlertFilter = {}): Promise<StoredAlert[]> {
    return this.#locked(() =>
      this.#alerts.rows
        .filter((a) => filter.state === undefined || a.deliveryState === filter.state)
        .sort((a, b) => b.id - a.id)
        .slice(0, filter.limit ?? 100)
        .map(publicAlert),
    );
  }

  /** Leases due pending alerts for delivery, under the directory lock. */
  claimAlertDeliveries(now: Date, leaseMs: number, max: number): Promise<StoredAlert[]> {
    return this.#write(() => {
      const t = now.getTime();
      const due = (a: AlertRow) => a.deliveryState === "pending" && (a.nextAttemptAt === null || a.nextAttemptAt.getTime() <= t) && (a.leaseUntil === null || a.leaseUntil.getTime() <= t);
      const picked = new Set(this.#alerts.rows.filter(due).slice(0, max).map((a) => a.id));
      if (picked.size === 0) return [];
      const leaseUntil = new Date(t + leaseMs);
      const rows = this.#alerts.rows.map((a) => (picked.has(a.id) ? { ...a, leaseUntil, attempts: a.attempts + 1 } : a));
      this.#alerts.rewrite(rows);
      return rows.filter((a) => picked.has(a.id)).map(publicAlert);
    });
  }

  /** Records how a delivery attempt ended. */
  async finishAlertDelivery(id: number, outcome: AlertDeliveryOutcome): Promise<void> {
    await this.#write(() => {
      const ended = (a: AlertRow): AlertRow =>
        outcome.state === "delivered"
          ? { ...a, deliveryState: "delivered", leaseUntil: null, nextAttemptAt: null, deliveredAt: outcome.at, lastError: null }
          : outcome.state === "pending"
            ? { ...a, deliveryState: "pending", leaseUntil: null, nextAttemptAt: outcome.nextAttemptAt, deliveredAt: null, lastError: outcome.error.slice(0, 2000) }
            : { ...a, deliveryState: "failed", leaseUntil: null, nextAttemptAt: null, deliveredAt: null, lastError: outcome.error.slice(0, 2000) };
      if (this.#alerts.rows.some((a) => a.id === id)) this.#alerts.rewrite(this.#alerts.rows.map((a) => (a.id === id ? ended(a) : a)));
    });
  }

  /** Hears the alerts this store object raises. */
  onAlertsRaised(listener: AlertListener): () => void {
    return this.#alertListeners.add(listener);
  }

  async insertUsageBatch(records: readonly NewUsageRecord[]): Promise<void> {
    // Check every record before writing any, so a bad one leaves the file untouched.
    for (const [i, r] of records.entries()) {
      if (typeof r.model !== "string" || r.model === "") throw new QueryRejectedError(`record ${i}: model must be a non-empty string`);
      if (!(r.timestamp instanceof Date) || Number.isNaN(r.timestamp.getTime())) throw new QueryRejectedError(`record ${i}: invalid timestamp`);
    }
    // One alert check for the whole batch, in the same locked step.
    this.#alertListeners.emit(await this.#write(() => (this.#usage.append(records), this.#raiseAlerts(records, new Date()))));
  }

  sumUsage(range: TimeRange, filter: UsageRecordFilter = {}): Promise<UsageTotals> {
    return this.#locked(() => totalsOf(this.#inRange(range, filter)));
  }

  async sumUsageByModel(range: TimeRange, filter: UsageRecordFilter = {}): Promise<ModelUsageTotals[]> {
    return (await this.sumUsageBy(range, "model", filter)).map(({ key, ...totals }) => ({ model: String(key), ...totals }));
  }

  /** Sums per value of a tag key (records without it last, as null). */
  sumUsageByTag(range: TimeRange, key: string, filter: TagBreakdownFilter = {}): Promise<GroupUsageTotals[]> {
    return this.#locked(() => {
      const groups = new Map<string | null, UsageRecord[]>();
      for (const row of this.#inRange(range, filter)) {
        if (!matchesTagFilter(filter, row.tags)) continue;
        const value = row.tags?.[key] ?? null;
        const list = groups.get(value);
        if (list) list.push(row);
        else groups.set(value, [row]);
      }
      return [...groups.entries()]
        .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0))
        .map(([value, rows]) => ({ key: value, ...totalsOf(rows) }));
    });
  }

  sumUsageBy(range: TimeRange, dimension: UsageDimension, filter: UsageRecordFilter = {}): Promise<GroupUsageTotals[]> {
    return this.#locked(() => {
      const groups = new Map<string | null, UsageRecord[]>();
      for (const row of this.#inRange(range, filter)) {
        const key = row[dimension];
        const list = groups.get(key);
        if (list) list.push(row);
        else groups.set(key, [row]);
      }
      return [...groups.entries()]
        .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0))
        .map(([key, rows]) => ({ key, ...totalsOf(rows) }));
    });
  }

  #inRange(range: TimeRange, filter: UsageRecordFilter): UsageRecord[] {
    const start = range.start.getTime();
    const end = range.end.getTime();
    return this.#usage.rows.filter((r) => {
      const t = r.timestamp.getTime();
      return t >= start && t <= end && matchesUsageRecordFilter(filter, r);
    });
  }

  usageInRange(range: TimeRange, afterId: number, limit: number): Promise<UsageRecord[]> {
    return this.#locked(() =>
      this.#inRange(range, {})
        .filter((r) => r.id > afterId)
        .sort((a, b) => a.id - b.id)
        .slice(0, Math.max(0, limit))
        .map((r) => ({ ...r })),
    );
  }

  async updateCosts(changes: readonly CostChange[], onProgress?: ProgressListener): Promise<void> {
    await this.#write(() => {
      if (changes.length === 0) return;
      this.#bump(USAGE_MUTATIONS);
      const byId = new Map(changes.map((c) => [c.id, c]));
      // One rewrite (temporary file, rename), however many changes: chunks would each rewrite the
      // whole file. Other writers wait for that one rewrite only.
      this.#usage.rewrite(this.#usage.rows.map((r) => {
        const change = byId.get(r.id);
        return change ? { ...r, costNanos: change.costNanos, costSource: change.costSource } : r;
      }));
    });
    if (changes.length > 0) onProgress?.(changes.length, changes.length);
  }

  insertPrice(price: NewModelPrice): Promise<ModelPrice> {
    return this.#write(() => this.#prices.append([{ ...price, createdAt: new Date() }])[0]!);
  }

  listPrices(): Promise<ModelPrice[]> {
    return this.#locked(() =>
      [...this.#prices.rows].sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0) || a.effectiveFrom.getTime() - b.effectiveFrom.getTime() || a.id - b.id),
    );
  }

  deletePrice(id: number): Promise<boolean> {
    return this.#write(() => {
      const kept = this.#prices.rows.filter((p) => p.id !== id);
      if (kept.length === this.#prices.rows.length) return false;
      this.#prices.rewrite(kept);
      return true;
    });
  }

  tail(limit: number, filter: TailFilter = {}): Promise<UsageRecord[]> {
    const { since, until } = filter;
    return this.#locked(() =>
      this.#usage.rows
        .filter((r) => matchesUsageRecordFilter(filter, r) && matchesTagFilter(filter, r.tags) && (since === undefined || r.timestamp >= since) && (until === undefined || r.timestamp <= until))
        .sort((a, b) => b.timestamp.getTime() - a.timestamp.getTime() || b.id - a.id)
        .slice(0, Math.max(0, limit))
        .map((r) => ({ ...r })),
    );
  }

  /** Rewrites the usage file without the matching records, in one locked rewrite: records appended after it are kept. */
  async purgeUsage(options: PurgeOptions = {}): Promise<number> {
    const { before, project } = options;
    const matches = (r: { timestamp: Date; project: string | null }) =>
      (before === undefined || r.timestamp.getTime() < before.getTime()) && (project === undefined || r.project === project);
    const count = await this.#write(() => {
      const kept = this.#usage.rows.filter((r) => !matches(r));
      const count = this.#usage.rows.length - kept.length;
      if (count > 0) {
        this.#bump(USAGE_MUTATIONS);
        this.#usage.rewrite(kept);
      }
      return count;
    });
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
    return this.#write(() => {
      const allSet = limit.model !== null && limit.username !== null && limit.callerName !== null && limit.projectName !== null;
      // The original's uniqueness rule: only limits whose four selectors are all set can clash.
      if (allSet && this.#limits.rows.some((l) => l.scope === limit.scope && l.limitType === limit.limitType && l.model === limit.model && l.username === limit.username && l.callerName === limit.callerName && l.projectName === limit.projectName)) {
        throw new ConflictError("a limit with the same scope, limit type, model, username, caller and project already exists");
      }
      const now = new Date();
      const [stored] = this.#limits.append([{ ...limit, createdAt: now, updatedAt: now }]);
      this.#bump(LIMITS_VERSION);
      return stored!;
    });
  }

  listLimits(filter: LimitFilter = {}): Promise<UsageLimit[]> {
    return this.#locked(() =>
      this.#limits.rows.filter(
        (l) =>
          (filter.scope === undefined || l.scope === filter.scope) &&
          (filter.model === undefined || l.model === filter.model) &&
          (filter.username === undefined || l.username === filter.username) &&
          (filter.callerName === undefined || l.callerName === filter.callerName) &&
          (filter.projectName === undefined || l.projectName === filter.projectName),
      ),
    );
  }

  deleteLimit(id: number): Promise<boolean> {
    return this.#write(() => {
      const kept = this.#limits.rows.filter((l) => l.id !== id);
      if (kept.length === this.#limits.rows.length) return false;
      // Bump first: a version bumped for a change that then failed only makes caches re-read.
      this.#bump(LIMITS_VERSION);
      this.#limits.rewrite(kept);
      return true;
    });
  }

  usageMutations(): Promise<number> {
    return this.#locked(() => this.#counter(USAGE_MUTATIONS));
  }

  limitsVersion(): Promise<number> {
    return this.#locked(() => this.#counter(LIMITS_VERSION));
  }

  sumQuotaUsage(queries: readonly UsageQuery[], now: Date): Promise<QuotaUsage[]> {
    return this.#locked(() => this.#quotaSums(queries, now));
  }

  async guardedWrite<T>(_lockKeys: readonly number[], clock: () => Date, build: (now: Date, limitsVersion: number) => GuardedStep<T>): Promise<GuardedOutcome<T>> {
    let raised: StoredAlert[] = [];
    const outcome = await this.#write((): GuardedOutcome<T> => {
      const now = clock();
      const { queries, decide } = build(now, this.#counter(LIMITS_VERSION));
      const decision = decide(this.#quotaSums(queries, now));
      const write = decision.write;
      switch (write.kind) {
        case "usage": {
          const id = this.#usage.append([write.record])[0]!.id;
          raised = this.#raiseAlerts([write.record], now);
          return { result: decision.result, id };
        }
        case "reservation": {
          const live = this.#reservations.rows.filter((r) => r.expiresAt.getTime() > now.getTime());
          if (live.length !== this.#reservations.rows.length) this.#reservations.rewrite(live);
          return { result: decision.result, id: this.#reservations.append([write.reservation])[0]!.id };
        }
        case "rejection":
          return { result: decision.result, id: this.#rejections.append([write.rejection])[0]!.id };
        case "none":
          return { result: decision.result, id: null };
      }
    });
    this.#alertListeners.emit(raised);
    return outcome;
  }

  #quotaSums(queries: readonly UsageQuery[], now: Date): QuotaUsage[] {
    const open = this.#reservations.rows.filter((r) => r.expiresAt.getTime() > now.getTime());
    return queries.map((query) => {
      const start = query.start.getTime();
      const end = query.end.getTime();
      let requests = 0;
      let inputTokens = 0;
      let outputTokens = 0;
      let totalTokens = 0;
      let costNanos = 0n;
      let oldest: number | null = null;
      const count = (t: number, input: number, output: number, total: number, cost: bigint) => {
        requests++;
        inputTokens += input;
        outputTokens += output;
        totalTokens += total;
        costNanos += cost;
        if (oldest === null || t < oldest) oldest = t;
      };
      const counted: { timestamp: Date; promptTokens: number; completionTokens: number; totalTokens: number; costNanos: bigint }[] = [];
      for (const r of this.#usage.rows) {
        const t = r.timestamp.getTime();
        if (t >= start && t <= end && usageFilterMatches(query.filter, r)) {
          count(t, r.promptTokens, r.completionTokens, r.totalTokens, r.costNanos);
          counted.push(r);
        }
      }
      const held: HeldUsage[] = [];
      for (const r of open) {
        const t = r.createdAt.getTime();
        if (t >= start && t <= end && usageFilterMatches(query.filter, r)) {
          count(t, r.inputTokens, r.completionTokens, r.inputTokens + r.completionTokens, r.costNanos);
          held.push({ createdAt: t, expiresAt: r.expiresAt.getTime(), inputTokens: r.inputTokens, completionTokens: r.completionTokens, costNanos: r.costNanos });
        }
      }
      const sums = { requests, inputTokens, outputTokens, totalTokens, costNanos, oldest: oldest === null ? null : new Date(oldest) };
      // Only a denied rolling check gets here with an exceeded need: sorting its rows is the denial path.
      return withReleases(query, sums, held, (type, amount) => {
        const rows = counted.map((r) => ({ at: r.timestamp.getTime(), amount: amountOfType(type, r.promptTokens, r.completionTokens, r.totalTokens, r.costNanos) }));
        return rowsReachingAt(rows, [amount])[0]!;
      });
    });
  }

  async commitReservation(reservationId: number, record: NewUsageRecord): Promise<number> {
    const { id, raised } = await this.#write(() => {
      const kept = this.#reservations.rows.filter((r) => r.id !== reservationId);
      // Write the usage first: if the process dies between the two steps the reservation merely
      // expires, whereas the other order could lose the record.
      const id = this.#usage.append([record])[0]!.id;
      if (kept.length !== this.#reservations.rows.length) this.#reservations.rewrite(kept);
      return { id, raised: this.#raiseAlerts([record], new Date()) };
    });
    this.#alertListeners.emit(raised);
    return id;
  }

  cancelReservation(reservationId: number): Promise<boolean> {
    return this.#write(() => {
      const kept = this.#reservations.rows.filter((r) => r.id !== reservationId);
      if (kept.length === this.#reservations.rows.length) return false;
      this.#reservations.rewrite(kept);
      return true;
    });
  }

  insertRejection(rejection: NewQuotaRejection): Promise<number> {
    return this.#write(() => this.#rejections.append([rejection])[0]!.id);
  }

  listRejections(session?: string): Promise<QuotaRejection[]> {
    return this.#locked(() =>
      this.#rejections.rows.filter((r) => session === undefined || r.session === session).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id),
    );
  }

  insertAuditEntry(entry: NewAuditEntry): Promise<number> {
    return this.#write(() => this.#audit.append([entry])[0]!.id);
  }

  listAuditEntries(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    return this.#locked(() => {
      const rows = this.#audit.rows
        .filter(
          (e) =>
            (filter.start === undefined || e.timestamp >= filter.start) &&
            (filter.end === undefined || e.timestamp <= filter.end) &&
            (filter.appName === undefined || e.appName === filter.appName) &&
            (filter.userName === undefined || e.userName === filter.userName) &&
            (filter.model === undefined || e.model === filter.model) &&
            (filter.project === undefined || e.project === filter.project) &&
            (filter.logType === undefined || e.logType === filter.logType) &&
            (filter.session === undefined || e.session === filter.session),
        )
        .sort((a, b) => b.timestamp.getTime() - a.timestamp.getTime() || b.id - a.id);
      return filter.limit === undefined ? rows : rows.slice(0, filter.limit);
    });
  }

  createProject(name: string): Promise<void> {
    return this.#write(() => {
      if (this.#projects.rows.some((p) => p.name === name)) throw new ConflictError(`Project '${name}' already exists`);
      this.#projects.append([{ name }]);
      this.#bump(REGISTRY_VERSION);
    });
  }

  listProjects(): Promise<string[]> {
    return this.#locked(() => this.#projects.rows.map((p) => p.name).sort());
  }

  renameProject(name: string, newName: string): Promise<boolean> {
    return this.#write(() => {
      if (!this.#projects.rows.some((p) => p.name === name)) return false;
      if (this.#projects.rows.some((p) => p.name === newName)) throw new ConflictError(`Project '${newName}' already exists`);
      // Bump first: a version bumped for a change that then failed only makes caches re-read.
      this.#bump(REGISTRY_VERSION);
      this.#projects.rewrite(this.#projects.rows.map((p) => (p.name === name ? { ...p, name: newName } : p)));
      return true;
    });
  }

  deleteProject(name: string): Promise<boolean> {
    return this.#write(() => {
      const kept = this.#projects.rows.filter((p) => p.name !== name);
      if (kept.length === this.#projects.rows.length) return false;
      // Bump first: a version bumped for a change that then failed only makes caches re-read.
      this.#bump(REGISTRY_VERSION);
      this.#projects.rewrite(kept);
      return true;
    });
  }

  createUser(user: NewUser, now: Date): Promise<UserRecord> {
    return this.#write(() => {
      if (this.#users.rows.some((u) => u.userName === user.userName)) throw new ConflictError(`User '${user.userName}' already exists`);
      const createdAt = user.createdAt ?? now;
      const [stored] = this.#users.append([
        { userName: user.userName, ouName: user.ouName, email: user.email, enabled: user.enabled ?? true, createdAt, lastEnabledAt: user.lastEnabledAt ?? createdAt, lastDisabledAt: user.lastDisabledAt ?? null },
      ]);
      this.#bump(REGISTRY_VERSION);
      return stored!;
    });
  }

  listUsers(): Promise<UserRecord[]> {
    return this.#locked(() => [...this.#users.rows].sort((a, b) => (a.userName < b.userName ? -1 : a.userName > b.userName ? 1 : 0)));
  }

  updateUser(userName: string, changes: UserChanges): Promise<boolean> {
    return this.#write(() => {
      if (!this.#users.rows.some((u) => u.userName === userName)) return false;
      if (changes.newUserName !== undefined && changes.newUserName !== userName && this.#users.rows.some((u) => u.userName === changes.newUserName)) {
        throw new ConflictError(`User '${changes.newUserName}' already exists`);
      }
      // Bump first: a version bumped for a change that then failed only makes caches re-read.
      this.#bump(REGISTRY_VERSION);
      this.#users.rewrite(
        this.#users.rows.map((u) =>
          u.userName !== userName
            ? u
            : {
                ...u,
                ...(changes.newUserName !== undefined && { userName: changes.newUserName }),
                ...(changes.ouName !== undefined && { ouName: changes.ouName }),
                ...(changes.email !== undefined && { email: changes.email }),
              },
        ),
      );
      return true;
    });
  }

  setUserEnabled(userName: string, enabled: boolean, now: Date): Promise<boolean> {
    return this.#write(() => {
      if (!this.#users.rows.some((u) => u.userName === userName)) return false;
      // Bump first: a version bumped for a change that then failed only makes caches re-read.
      this.#bump(REGISTRY_VERSION);
      this.#users.rewrite(this.#users.rows.map((u) => (u.userName !== userName ? u : enabled ? { ...u, enabled, lastEnabledAt: now } : { ...u, enabled, lastDisabledAt: now })));
      return true;
    });
  }

  registryVersion(): Promise<number> {
    return this.#locked(() => this.#counter(REGISTRY_VERSION));
  }

  importCursor(key: string): Promise<number> {
    return this.#locked(() => this.#counter(key));
  }

  importRows(batch: ImportBatch, cursor: ImportCursor): Promise<void> {
    return this.#write(() => {
      if (batch.kind === "usage") this.#usage.append(batch.rows);
      else if (batch.kind === "audit") this.#audit.append(batch.rows);
      else this.#rejections.append(batch.rows);
      this.#setCounter(cursor.key, cursor.value);
    });
  }

  #counter(key: string): number {
    return this.#counters.rows.find((c) => c.key === key)?.value ?? 0;
  }

  #bump(key: string): void {
    this.#setCounter(key, this.#counter(key) + 1);
  }

  #setCounter(key: string, value: number): void {
    const existing = this.#counters.rows.find((c) => c.key === key);
    if (!existing) this.#counters.append([{ key, value }]);
    else this.#counters.rewrite(this.#counters.rows.map((c) => (c.key === key ? { ...c, value } : c)));
  }
}

function totalsOf(rows: readonly UsageRecord[]): UsageTotals {
  if (rows.length === 0) return EMPTY_TOTALS;
  let micros = 0;
  const t = { ...EMPTY_TOTALS, requests: rows.length } as { -readonly [K in keyof UsageTotals]: UsageTotals[K] };
  for (const r of rows) {
    t.promptTokens += r.promptTokens;
    t.completionTokens += r.completionTokens;
    t.totalTokens += r.totalTokens;
    t.localPromptTokens += r.localPromptTokens;
    t.localCompletionTokens += r.localCompletionTokens;
    t.localTotalTokens += r.localTotalTokens;
    t.cachedTokens += r.cachedTokens;
    t.reasoningTokens += r.reasoningTokens;
    t.costNanos += r.costNanos;
    // Microseconds, as the SQL stores sum them, so every store reports the same figure.
    micros += Math.round(r.executionTime * 1e6);
  }
  t.executionTime = micros / 1e6;
  return t;
}

/** An alert row without the store's internal lease. */
function publicAlert(row: AlertRow): StoredAlert {
  const { leaseUntil: _lease, ...alert } = row;
  return alert;
}
