import type { InstantInput } from "../instant.js";
import type { ModelRankings } from "../stats/model-rankings.js";
import type { ModelStats, UsageStatsResult } from "../stats/usage-stats.js";
import type { GroupUsageTotals, LimitFilter, NewUsageRecord, PurgeOptions, QueryResult, QueryRowSink, QueryStreamOptions, QueryStreamSummary, TagBreakdownFilter, TailFilter, UsageDimension, UsageStore, UserChanges, UserRecord } from "../store/index.js";
import type { LimitStatus, NewUsageLimit, QuotaDecision, UsageLimit } from "../quota/index.js";
import type { UsageDefaults, UsageInput } from "../usage/usage-input.js";
import type { UsageObserver } from "../usage/usage-observer.js";
import type { ModelPrice, ModelPriceInput, PricedUsage, PriceQuote } from "../pricing/index.js";
import type { CostQuote, CostQuoteJson, JsonForm, ModelPriceJson, RepriceResultJson, UsageRecordResult, UsageTotalsJson } from "../json/index.js";
import type { AlertDeliverySummary, AlertFilter, StoredAlert } from "../alerts/index.js";
import type { AccountingOptions } from "./accounting-options.js";
import type { QuotaCheckInput, RemainingLimit, ReserveInput } from "./quota-inputs.js";
import type { Reservation, ReservedUsage } from "./reservation.js";
import type { RepriceOptions, RepriceResult } from "./reprice.js";
import { FacadeState } from "./facade-state.js";
import * as alerts from "./alert-access.js";
import * as tracking from "./usage-tracking.js";
import * as quota from "./quota-checks.js";
import * as reserving from "./reserve-budget.js";
import * as reports from "./usage-reports.js";
import * as registry from "./registry-admin.js";
import * as admin from "./limits-and-prices.js";
import * as queries from "./store-queries.js";

/**
 * The facade applications use: validates input, applies defaults and talks to the store. Open it once per process and share it; every
 * method is safe to call concurrently. Each method hands its work to the module of its job (tracking, quota checks, reservations, reports,
 * registries, limits and prices, store queries), which share one `FacadeState`.
 */
export class Accounting implements AsyncDisposable {
  readonly store: UsageStore;
  readonly defaults: UsageDefaults;
  readonly #state: FacadeState;

  constructor(options: AccountingOptions) {
    this.#state = new FacadeState(options);
    this.store = this.#state.store;
    this.defaults = this.#state.defaults;
  }

  /** Opens the store (creating and migrating it if needed). Called implicitly by every method. */
  open(): Promise<void> {
    return this.#state.open();
  }

  /** Closes the store, after the alert delivery in flight has recorded its outcome. */
  close(): Promise<void> {
    return this.#state.close();
  }

  /** Closes the store at the end of an `await using` block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Records one model call; resolves once it is stored durably, with the stored record. With `enforceLimits`, the limits are checked and
   * the record written as one atomic step (across processes); a denial throws `QuotaExceededError` and writes nothing but a rejection.
   */
  trackUsage(input: UsageInput, options: { enforceLimits?: boolean } = {}): Promise<UsageRecordResult> {
    return tracking.trackUsage(this.#state, input, options);
  }

  /** Records one call and returns how much of each applicable limit is left afterwards. */
  trackUsageWithRemainingLimits(input: UsageInput): Promise<{ record: UsageRecordResult; remaining: RemainingLimit[] }> {
    return tracking.trackUsageWithRemainingLimits(this.#state, input);
  }

  /** Records many model calls atomically (all or none). */
  trackUsageBatch(inputs: readonly UsageInput[]): Promise<void> {
    return tracking.trackUsageBatch(this.#state, inputs);
  }

  /** Records already made by normalizeUsage (the buffered writer's path): names checked, costs priced, stored atomically. */
  trackNormalizedBatch(records: readonly NewUsageRecord[]): Promise<void> {
    return tracking.trackNormalizedBatch(this.#state, records);
  }

  /** Attaches an observer told about every record once it is stored (see `AccountingOptions.observers`); returns a function that detaches it. */
  observe(observer: UsageObserver): () => void {
    return this.#state.observers.add(observer);
  }

  /**
   * Adds a usage limit (validated: scope, type, unit, interval, max value, PROJECT needs a project,
   * alert thresholds). A limit without `alertAt` gets the facade's `alertAt` option, if any.
   */
  setUsageLimit(input: NewUsageLimit): Promise<UsageLimit> {
    return admin.setUsageLimit(this.#state, input);
  }

  /** Limits matching every given filter, oldest first. */
  getUsageLimits(filter: LimitFilter = {}): Promise<UsageLimit[]> {
    return admin.getUsageLimits(this.#state, filter);
  }

  /** Deletes a limit; throws `NotFoundError` when there is no limit with that id. */
  deleteUsageLimit(id: number): Promise<void> {
    return admin.deleteUsageLimit(this.#state, id);
  }

  /**
   * Would this call be allowed now? Applies the facade's defaults for names (unlike the original). Without a `cost`, its tokens are priced
   * as `trackUsage` would price them; a call that cannot be priced is refused when a cost limit applies, unless `allowUnpriced`. Records
   * nothing, except a quota rejection when denied and `session` is set.
   */
  checkQuota(input: QuotaCheckInput): Promise<QuotaDecision> {
    return quota.checkQuota(this.#state, input);
  }

  /** How much of every limit that applies to this call is left in its current window. */
  getRemainingLimits(input: QuotaCheckInput): Promise<RemainingLimit[]> {
    return quota.getRemainingLimits(this.#state, input);
  }

  /** Alerts, newest first (at most `filter.limit`, default 100), with their delivery state. */
  listAlerts(filter: AlertFilter = {}): Promise<StoredAlert[]> {
    return alerts.listAlerts(this.#state, filter);
  }

  /**
   * Delivers the pending alerts that are due (from any process) to `onAlert` and `alertTargets`,
   * once; failures are retried later with backoff. Without targets it delivers nothing.
   */
  deliverAlerts(): Promise<AlertDeliverySummary> {
    return alerts.deliverAlerts(this.#state);
  }

  /** Every limit with its usage in the current window, what is left, and when it resets. */
  getLimitStatus(): Promise<LimitStatus[]> {
    return quota.getLimitStatus(this.#state);
  }

  /**
   * Holds budget for a call about to be made: checks every applicable limit and, in the same atomic step, records a reservation that counts
   * as one request plus the given estimates until `commit` replaces it with the actual usage (in one transaction, so the budget is never
   * uncounted in between), `cancel` drops it, or `ttlMs` passes. Without a `cost`, the estimated tokens are priced as `trackUsage` would
   * price them; a call that cannot be priced is refused when a cost limit applies, unless `allowUnpriced`. Throws `QuotaExceededError` when
   * the call would exceed a limit.
   */
  reserve(input: ReserveInput): Promise<Reservation> {
    return reserving.reserve(this.#state, input);
  }

  /**
   * Runs `call` under a reservation: reserve (throws `QuotaExceededError` if denied; the input's tokens are priced like `reserve` prices
   * them), run the call, then commit the usage `usageOf` reports, or cancel the reservation if the call throws. Resolves once the commit is
   * durable.
   */
  guard<T>(input: ReserveInput, call: () => Promise<T>, usageOf: (result: T) => ReservedUsage): Promise<T> {
    return reserving.guard(this.#state, input, call, usageOf);
  }

  /**
   * What `trackUsage(input)` would record as the cost, without recording anything: the given cost,
   * else stored prices or the pricer. Lets a check price a call's tokens the way tracking will.
   */
  quoteCost(input: UsageInput): Promise<CostQuote & JsonForm<CostQuoteJson>> {
    return tracking.quoteCost(this.#state, input);
  }

  /**
   * Quotes many calls as tracking would (stored prices, then the pricer), reading the stored
   * prices once: importers that price rows themselves (e.g. per cache-write TTL) use it.
   */
  quoteUsages(usages: readonly PricedUsage[]): Promise<(PriceQuote | undefined)[]> {
    return tracking.quoteUsages(this.#state, usages);
  }

  /** Stores a price (USD per million tokens) that wins over the pricer's from its effective date. */
  setModelPrice(input: ModelPriceInput): Promise<ModelPrice & JsonForm<ModelPriceJson>> {
    return admin.setModelPrice(this.#state, input);
  }

  /** Every stored price, by model and effective date. */
  listModelPrices(): Promise<Array<ModelPrice & JsonForm<ModelPriceJson>>> {
    return admin.listModelPrices(this.#state);
  }

  /** Deletes a stored price; throws `NotFoundError` when there is no price with that id. */
  deleteModelPrice(id: number): Promise<void> {
    return admin.deleteModelPrice(this.#state, id);
  }

  /**
   * Recomputes the cost of the records in the range from the current prices (stored prices, then the pricer). A dry run unless `apply` is
   * set; returns every change with the old and new cost. Costs the caller gave are kept unless `includeCallerCosts` is set, costs the provider reported unless `includeProviderCosts` is.
   */
  reprice(start: InstantInput, end: InstantInput, options: RepriceOptions = {}): Promise<RepriceResult & JsonForm<RepriceResultJson>> {
    return admin.reprice(this.#state, start, end, options);
  }

  /** Sums and averages over `start <= timestamp <= end` (of the records the filter keeps, tags included). */
  getPeriodStats(start: InstantInput, end: InstantInput, filter: TagBreakdownFilter = {}): Promise<UsageStatsResult> {
    return reports.getPeriodStats(this.#state, start, end, filter);
  }

  /** Per-model sums and averages over the range, ordered by model name. */
  getModelStats(start: InstantInput, end: InstantInput, filter: TagBreakdownFilter = {}): Promise<ModelStats[]> {
    return reports.getModelStats(this.#state, start, end, filter);
  }

  /** Models ranked by tokens, cost and execution time over the range. */
  getModelRankings(start: InstantInput, end: InstantInput, filter: TagBreakdownFilter = {}): Promise<ModelRankings> {
    return reports.getModelRankings(this.#state, start, end, filter);
  }

  /** Usage over the range per user, caller, project, session or model (null: records without one). */
  getUsageBreakdown(start: InstantInput, end: InstantInput, dimension: UsageDimension, filter: TagBreakdownFilter = {}): Promise<Array<GroupUsageTotals & JsonForm<UsageTotalsJson<GroupUsageTotals>>>> {
    return reports.getUsageBreakdown(this.#state, start, end, dimension, filter);
  }

  /**
   * Usage over the range per value of one tag key, ordered by value; records without that tag
   * form the last group (key null). `filter` narrows by columns and by other tags.
   */
  getUsageByTag(start: InstantInput, end: InstantInput, key: string, filter: TagBreakdownFilter = {}): Promise<Array<GroupUsageTotals & JsonForm<UsageTotalsJson<GroupUsageTotals>>>> {
    return reports.getUsageByTag(this.#state, start, end, key, filter);
  }

  /**
   * The `n` most recent records, newest first (of the records the filter keeps, and stamped between `since` and
   * `until` inclusive, when the filter says so). A negative `n` returns every record.
   */
  tail(n = 10, filter: TailFilter = {}): Promise<UsageRecordResult[]> {
    return reports.tail(this.#state, n, filter);
  }

  /** Up to `limit` records stored after the record with id `afterId`, oldest first (ids grow in the order records are stored): what `tail --follow` polls for. */
  entriesAfter(afterId: number, limit = 1000): Promise<UsageRecordResult[]> {
    return reports.entriesAfter(this.#state, afterId, limit);
  }

  /** Registers a project (for `enforceProjectNames`); an existing name is a `ConflictError`. */
  createProject(name: string): Promise<void> {
    return registry.createProject(this.#state, name);
  }

  /** Registered project names, sorted. */
  listProjects(): Promise<string[]> {
    return registry.listProjects(this.#state);
  }

  /** Renames a project; `NotFoundError` when unknown. Usage already recorded keeps the old name. */
  renameProject(name: string, newName: string): Promise<void> {
    return registry.renameProject(this.#state, name, newName);
  }

  /** Deletes a project from the registry; `NotFoundError` when unknown. */
  deleteProject(name: string): Promise<void> {
    return registry.deleteProject(this.#state, name);
  }

  /** Registers a user, enabled (for `enforceUserNames`); an existing name is a `ConflictError`. */
  createUser(user: { userName: string; ouName?: string | null; email?: string | null }): Promise<UserRecord> {
    return registry.createUser(this.#state, user);
  }

  /** Registered users, sorted by name, including deactivated ones. */
  listUsers(): Promise<UserRecord[]> {
    return registry.listUsers(this.#state);
  }

  /** Changes a user's name, OU or email; `NotFoundError` when unknown. */
  updateUser(userName: string, changes: UserChanges): Promise<void> {
    return registry.updateUser(this.#state, userName, changes);
  }

  /** Deactivates a user (enforcement then refuses the name), stamping when. */
  deactivateUser(userName: string): Promise<void> {
    return registry.setUserEnabled(this.#state, userName, false);
  }

  /** Reactivates a user, stamping when. */
  reactivateUser(userName: string): Promise<void> {
    return registry.setUserEnabled(this.#state, userName, true);
  }

  /**
   * Deletes the usage records stored before the purge began (limits, audit entries and registries are kept; records tracked while it runs
   * survive), only those before `options.before` and of `options.project` when given; returns the count.
   */
  purge(options: PurgeOptions = {}): Promise<number> {
    return queries.purge(this.#state, options);
  }

  /**
   * Runs one read-only SQL statement against the store and collects its rows (bounded: see
   * `MAX_COLLECTED_ROWS`); anything that could write is refused. Use `selectStream` for big results.
   */
  select(sql: string, options?: QueryStreamOptions): Promise<QueryResult> {
    return queries.select(this.#state, sql, options);
  }

  /** Runs one read-only SQL statement, streaming its rows to `sink` in bounded memory. */
  selectStream(sql: string, sink: QueryRowSink, options?: QueryStreamOptions): Promise<QueryStreamSummary> {
    return queries.selectStream(this.#state, sql, sink, options);
  }
}
