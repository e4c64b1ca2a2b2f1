import { parseInstant, type InstantInput } from "../instant.js";
import { rankModels, type ModelRankings } from "../stats/model-rankings.js";
import { statsFromTotals, type ModelStats, type UsageStatsResult } from "../stats/usage-stats.js";
import type { QueryResult, QueryRowSink, QueryStreamOptions, QueryStreamSummary } from "../store/query-result.js";
import type { TimeRange } from "../store/time-range.js";
import type { UsageStore } from "../store/usage-store.js";
import type { PurgeOptions } from "../store/progress.js";
import { ConflictError, NotFoundError, QuotaExceededError, ValidationError } from "../errors.js";
import { forecastOfLimit, planForecast, usageAmount, isLimitApplicable, planQuota, evaluateQuota, admissionBounds, ALLOWED, planRemaining, planStatus, remainingFromUsage, statusFromUsage, validateLimit, type LimitStatus, type QuotaDecision, type QuotaPlan } from "../quota/index.js";
import type { NewUsageLimit, QuotaRequest, UsageLimit } from "../quota/limit.js";
import type { GuardedAdmission, GuardedWrite, LimitFilter, NewQuotaRejection } from "../store/quota-records.js";
import type { NewUsageRecord } from "../store/usage-record.js";
import { LimitsCache } from "./limits-cache.js";
import { NameEnforcement } from "./name-enforcement.js";
import { usageFilterFields, type GroupUsageTotals, type ModelUsageTotals, type TagBreakdownFilter, type TailFilter, type UsageDimension } from "../store/usage-totals.js";
import type { NewUser, UserChanges, UserRecord } from "../store/registry-records.js";
import { quotaRequestOf, usageToPrice, type QuotaCheckInput, type RemainingLimit, type ReserveInput } from "./quota-inputs.js";
import { unpricedRefusal } from "./unpriced-policy.js";
import { Reservation, type ReservedUsage } from "./reservation.js";
import { normalizeUsage } from "../usage/normalize-usage.js";
import { checkTagKey, checkTags, mergeTags } from "../usage/usage-tags.js";
import { sumGroups, sumTaggedUsageFallback, sumUsageByTagFallback } from "../stats/tag-breakdown.js";
import { checkOptionalName, checkStorableName, checkStorableText, SHORT_TEXT_MAX_LENGTH } from "../storable-text.js";
import type { UsageDefaults, UsageInput } from "../usage/usage-input.js";
import type { AccountingOptions } from "./accounting-options.js";
import { currentUsageContext } from "../context/usage-context.js";
import { validatePrice, type ModelPriceInput } from "../pricing/cost-of-usage.js";
import type { ModelPrice } from "../pricing/model-price.js";
import type { PricedUsage, Pricer, PriceQuote } from "../pricing/pricer.js";
import { PricesCache } from "../pricing/prices-cache.js";
import { pricedUsageOf, quoteUsage, withQuotedCost } from "../pricing/price-record.js";
import { repriceRecords, type RepriceOptions, type RepriceResult } from "./reprice.js";

/** Years 1 to 9999, the range of `entriesAfter` (stores compare four-digit-year ISO text). */
const ALL_TIME: TimeRange = { start: new Date("0001-01-01T00:00:00.000Z"), end: new Date("9999-12-31T23:59:59.999Z") };
import { withJsonForm, type JsonForm } from "../json/json-form.js";
import { costQuoteJson, usageRecordResult, usageTotalsJson, type CostQuote, type CostQuoteJson, type UsageRecordResult, type UsageTotalsJson } from "../json/usage-json.js";
import { modelPriceJson, type ModelPriceJson } from "../json/price-json.js";
import { repriceResultJson, type RepriceResultJson } from "../json/reprice-json.js";
import { emitUnpricedWarning, UnpricedWarnings } from "./unpriced-warnings.js";
import { AlertDelivery, callbackTarget } from "./alert-delivery.js";
import { validateAlertThresholds } from "../alerts/alert-thresholds.js";
import type { AlertFilter, AlertStore, StoredAlert } from "../alerts/alert-records.js";
import type { AlertDeliverySummary } from "../alerts/deliver-alerts.js";
import { UsageObservers, type UsageObserver } from "../usage/usage-observer.js";

/**
 * The facade applications use: validates input, applies defaults and talks to the store.
 * Open it once per process and share it; every method is safe to call concurrently.
 */
export class Accounting implements AsyncDisposable {
  readonly store: UsageStore;
  readonly defaults: UsageDefaults;
  readonly #now: () => Date;
  readonly #limits: LimitsCache;
  readonly #names: NameEnforcement;
  readonly #pricer: Pricer | undefined;
  readonly #prices: PricesCache;
  readonly #unpriced: UnpricedWarnings;
  readonly #defaultAlertAt: readonly number[] | undefined;
  readonly #alertDelivery: AlertDelivery | null;
  #stopHearingAlerts: (() => void) | undefined;
  readonly #observers: UsageObservers;
  #opening: Promise<void> | undefined;
  // Set once open() has resolved: the batch path then reaches the store without yielding.
  #isOpen = false;

  constructor(options: AccountingOptions) {
    this.store = options.store;
    this.defaults = {
      projectName: options.projectName ?? null,
      appName: options.appName ?? null,
      userName: options.userName ?? null,
      // Checked here so a bad default fails when the facade is made, not on every call.
      tags: checkTags(options.tags, "tags") ?? null,
    };
    this.#now = options.now ?? (() => new Date());
    this.#limits = new LimitsCache(this.store);
    this.#pricer = options.pricer;
    this.#prices = new PricesCache(this.store, options.priceRefreshMs ?? 5000);
    this.#unpriced = new UnpricedWarnings(options.onUnpriced ?? emitUnpricedWarning);
    this.#observers = new UsageObservers(options.observers, options.onObserverError);
    this.#names = new NameEnforcement(this.store, { projects: options.enforceProjectNames ?? false, users: options.enforceUserNames ?? false });
    this.#defaultAlertAt = options.alertAt === undefined ? undefined : validateAlertThresholds(options.alertAt, "alertAt");
    const targets = [...(options.onAlert ? [callbackTarget(options.onAlert)] : []), ...(options.alertTargets ?? [])];
    const store = alertStoreOf(this.store);
    this.#alertDelivery = targets.length > 0 && store ? new AlertDelivery(store, targets, { ...options.alertDelivery, now: options.alertDelivery?.now ?? this.#now }) : null;
  }

  /** Opens the store (creating and migrating it if needed). Called implicitly by every method. */
  open(): Promise<void> {
    // Alerts this process raises are delivered right after the write that raised them.
    if (this.#alertDelivery && !this.#stopHearingAlerts) {
      const delivery = this.#alertDelivery;
      delivery.reopen();
      this.#stopHearingAlerts = alertStoreOf(this.store)!.onAlertsRaised(() => delivery.request());
    }
    this.#opening ??= this.store.open().then(
      () => {
        this.#isOpen = true;
      },
      (error: unknown) => {
        this.#opening = undefined;
        throw error;
      },
    );
    return this.#opening;
  }

  /** Closes the store, after the alert delivery in flight has recorded its outcome. */
  async close(): Promise<void> {
    this.#stopHearingAlerts?.();
    this.#stopHearingAlerts = undefined;
    await this.#alertDelivery?.close();
    this.#opening = undefined;
    this.#isOpen = false;
    await this.store.close();
  }

  /** Closes the store at the end of an `await using` block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Records one model call; resolves once it is stored durably, with the stored record. With
   * `enforceLimits`, the limits are checked and the record written as one atomic step (across
   * processes); a denial throws `QuotaExceededError` and writes nothing but a rejection.
   */
  async trackUsage(input: UsageInput, options: { enforceLimits?: boolean } = {}): Promise<UsageRecordResult> {
    const now = this.#now();
    input = withContext(input);
    // Validate before opening: bad input must not create a database file.
    const normalized = normalizeUsage(input, this.defaults, now);
    await this.open();
    const record = await this.#priced(normalized);
    await this.#names.check(record.project, record.username);
    if (!options.enforceLimits) {
      const id = await this.store.insertUsage(record);
      this.#recorded([record]);
      return usageRecordResult({ id, ...record });
    }
    const request: QuotaRequest = {
      model: record.model,
      username: record.username,
      callerName: record.callerName,
      projectName: record.project,
      inputTokens: record.promptTokens,
      completionTokens: record.completionTokens,
      costNanos: record.costNanos,
      tags: record.tags ?? null,
    };
    // Calls without a timestamp are stamped with the instant the guarded write decided at. A given one must
    // fall inside every window it was checked against: a back-dated row would pass the check yet
    // count in no current window, so repeating it would spend without limit.
    let written = record;
    const { decision, id } = await this.#guarded(request, record.session, () => null, (at, latestWindowStart) => {
      if (input.timestamp != null && latestWindowStart !== null && record.timestamp.getTime() < latestWindowStart.getTime()) {
        throw new ValidationError("timestamp", `must not be before the current quota window (${latestWindowStart.toISOString()}) when limits are enforced`);
      }
      written = input.timestamp == null ? { ...record, timestamp: at } : record;
      return { kind: "usage", record: written };
    });
    if (!decision.allowed) throw new QuotaExceededError(decision);
    this.#recorded([written]);
    return usageRecordResult({ id: id!, ...written });
  }

  /** Records one call and returns how much of each applicable limit is left afterwards. */
  async trackUsageWithRemainingLimits(input: UsageInput): Promise<{ record: UsageRecordResult; remaining: RemainingLimit[] }> {
    const record = await this.trackUsage(input);
    const remaining = await this.getRemainingLimits({
      model: record.model,
      username: record.username,
      callerName: record.callerName,
      projectName: record.project,
      tags: record.tags ?? null,
    });
    return { record, remaining };
  }

  /** Records many model calls atomically (all or none). */
  async trackUsageBatch(inputs: readonly UsageInput[]): Promise<void> {
    const now = this.#now();
    const records = inputs.map((input, index) => {
      try {
        return normalizeUsage(withContext(input), this.defaults, now);
      } catch (error) {
        if (error instanceof ValidationError) throw new ValidationError(`[${index}].${error.field}`, error.message.slice(error.field.length + 1));
        throw error;
      }
    });
    await this.trackNormalizedBatch(records);
  }

  /** Records already made by normalizeUsage (the buffered writer's path): names checked, costs priced, stored atomically. */
  async trackNormalizedBatch(records: readonly NewUsageRecord[]): Promise<void> {
    // No await on the hot path until the store has the batch: the buffered writer relies on the
    // write being handed over before the callers it admits next get to run.
    if (!this.#isOpen) await this.open();
    if (this.#names.active) {
      const pairs = new Map(records.map((r) => [`${r.project}\u0000${r.username}`, r]));
      for (const record of pairs.values()) await this.#names.check(record.project, record.username);
    }
    // Batches are the buffered writer's hot path: read the stored prices once, then price synchronously.
    const stored = records.some((r) => r.costSource === null) ? await this.#prices.current() : [];
    const priced = records.map((record) => {
      if (record.costSource !== null) return record;
      const quoted = withQuotedCost(record, quoteUsage(pricedUsageOf(record), stored, this.#pricer));
      this.#unpriced.notice(quoted);
      return quoted;
    });
    await this.store.insertUsageBatch(priced);
    this.#recorded(priced);
  }

  /**
   * Attaches an observer told about every record once it is stored (see `AccountingOptions.observers`);
   * returns a function that detaches it.
   */
  observe(observer: UsageObserver): () => void {
    return this.#observers.add(observer);
  }

  #recorded(records: readonly NewUsageRecord[]): void {
    if (this.#observers.active) this.#observers.notify(records);
  }

  /**
   * Adds a usage limit (validated: scope, type, unit, interval, max value, PROJECT needs a project,
   * alert thresholds). A limit without `alertAt` gets the facade's `alertAt` option, if any.
   */
  async setUsageLimit(input: NewUsageLimit): Promise<UsageLimit> {
    const limit = validateLimit(input.alertAt === undefined && this.#defaultAlertAt ? { ...input, alertAt: this.#defaultAlertAt } : input);
    await this.open();
    const named = (value: string | null) => (value === "*" ? null : value);
    await this.#names.check(named(limit.projectName), named(limit.username));
    return this.store.insertLimit(limit);
  }

  /** Limits matching every given filter, oldest first. */
  async getUsageLimits(filter: LimitFilter = {}): Promise<UsageLimit[]> {
    await this.open();
    return this.store.listLimits(filter);
  }

  /** Deletes a limit; throws `NotFoundError` when there is no limit with that id. */
  async deleteUsageLimit(id: number): Promise<void> {
    if (!Number.isSafeInteger(id)) throw new ValidationError("id", `must be an integer (got ${id})`);
    await this.open();
    if (!(await this.store.deleteLimit(id))) throw new NotFoundError(`no usage limit with ID ${id}`);
  }

  /**
   * Would this call be allowed now? Applies the facade's defaults for names (unlike the
   * original). Without a `cost`, its tokens are priced as `trackUsage` would price them; a call
   * that cannot be priced is refused when a cost limit applies, unless `allowUnpriced`.
   * Records nothing, except a quota rejection when denied and `session` is set.
   */
  async checkQuota(input: QuotaCheckInput): Promise<QuotaDecision> {
    input = withQuotaContext(input);
    const unpricedRequest = quotaRequestOf(input, this.defaults);
    const toPrice = this.#usageToPrice(input, unpricedRequest);
    const now = this.#now();
    await this.open();
    await this.#names.check(unpricedRequest.projectName, unpricedRequest.username);
    // A store that returns the limits version with the sums lets the check plan with the limits
    // it already holds (one round trip on a server); a changed version plans again.
    const versionedSums = this.store.sumQuotaUsageVersioned?.bind(this.store);
    for (let attempt = 1; ; attempt++) {
      const held = versionedSums && attempt === 1 ? this.#limits.peek() : undefined;
      const { limits, version } = held ?? (await this.#limits.versioned());
      // Only a cost limit reads the price: without one the decision is the same priced or not, so
      // nothing is priced (a CLI check then never loads the pricing catalog).
      const costLimitApplies = limits.some((limit) => limit.limitType === "cost" && isLimitApplicable(limit, unpricedRequest));
      const { request, refuse } = costLimitApplies ? await this.#pricedRequest(input, unpricedRequest, toPrice) : { request: unpricedRequest, refuse: () => null };
      const plan = planQuota(limits, request, now);
      let decision = refuse(limits);
      // A refusal reads no sums, so nothing confirmed the limits held: read them and decide again.
      if (decision && held) continue;
      if (!decision) {
        const sums = versionedSums ? await versionedSums(plan.queries, now) : { usage: await this.store.sumQuotaUsage(plan.queries, now), limitsVersion: version };
        if (sums.limitsVersion !== version && attempt < 5) continue;
        decision = evaluateQuota(plan, sums.usage, request, now);
      }
      if (!decision.allowed && input.session) await this.store.insertRejection(rejectionOf(input.session, decision, now));
      return decision;
    }
  }

  /** How much of every limit that applies to this call is left in its current window. */
  async getRemainingLimits(input: QuotaCheckInput): Promise<RemainingLimit[]> {
    input = withQuotaContext(input);
    const request = quotaRequestOf(input, this.defaults);
    const now = this.#now();
    await this.open();
    const plan = planRemaining(await this.#limits.current(), request, now);
    const limits = plan.steps.map((step) => step.limit);
    // One store call for the windows and the rate sums of the forecasts.
    const sums = await this.store.sumQuotaUsage([...plan.queries, ...planForecast(limits, now)], now);
    const rates = sums.slice(plan.queries.length);
    return remainingFromUsage(plan, sums).map((remaining, i) => {
      const query = plan.steps[i]!.query;
      const forecast = query === null ? null : forecastOfLimit(remaining.limit, usageAmount(remaining.limit, sums[query]!), rates[2 * i]!, rates[2 * i + 1]!, now);
      return { ...remaining, forecast };
    });
  }

  /** Alerts, newest first (at most `filter.limit`, default 100), with their delivery state. */
  async listAlerts(filter: AlertFilter = {}): Promise<StoredAlert[]> {
    if (filter.limit !== undefined && (!Number.isSafeInteger(filter.limit) || filter.limit < 1)) throw new ValidationError("limit", `must be a positive integer (got ${filter.limit})`);
    await this.open();
    return requireAlertStore(this.store).listAlerts(filter);
  }

  /**
   * Delivers the pending alerts that are due (from any process) to `onAlert` and `alertTargets`,
   * once; failures are retried later with backoff. Without targets it delivers nothing.
   */
  async deliverAlerts(): Promise<AlertDeliverySummary> {
    await this.open();
    requireAlertStore(this.store);
    if (!this.#alertDelivery) return { delivered: 0, retrying: 0, failed: 0, nextAttemptAt: null };
    return this.#alertDelivery.deliverNow();
  }

  /** Every limit with its usage in the current window, what is left, and when it resets. */
  async getLimitStatus(): Promise<LimitStatus[]> {
    const now = this.#now();
    await this.open();
    const limits = await this.#limits.current();
    const windows = planStatus(limits, now);
    const sums = await this.store.sumQuotaUsage([...windows, ...planForecast(limits, now)], now);
    return statusFromUsage(limits, sums.slice(0, windows.length), now, sums.slice(windows.length));
  }

  /**
   * Holds budget for a call about to be made: checks every applicable limit and, in the same
   * atomic step, records a reservation that counts as one request plus the given estimates until
   * `commit` replaces it with the actual usage (in one transaction, so the budget is never
   * uncounted in between), `cancel` drops it, or `ttlMs` passes. Without a `cost`, the estimated
   * tokens are priced as `trackUsage` would price them; a call that cannot be priced is refused
   * when a cost limit applies, unless `allowUnpriced`.
   * Throws `QuotaExceededError` when the call would exceed a limit.
   */
  async reserve(input: ReserveInput): Promise<Reservation> {
    input = withQuotaContext(input);
    const unpricedRequest = quotaRequestOf(input, this.defaults);
    const toPrice = this.#usageToPrice(input, unpricedRequest);
    const ttl = input.ttlMs ?? 600_000;
    if (!Number.isFinite(ttl) || ttl <= 0) throw new ValidationError("ttlMs", `must be a positive number of milliseconds (got ${ttl})`);
    await this.open();
    await this.#names.check(unpricedRequest.projectName, unpricedRequest.username);
    const { request, refuse } = await this.#pricedRequest(input, unpricedRequest, toPrice);
    const session = input.session ?? null;
    let reservedAt = new Date(0);
    const { decision, id } = await this.#guarded(request, session, refuse, (at) => ({
      kind: "reservation",
      reservation: {
        createdAt: (reservedAt = at),
        expiresAt: new Date(at.getTime() + ttl),
        model: request.model,
        username: request.username,
        callerName: request.callerName,
        project: request.projectName,
        session,
        inputTokens: request.inputTokens,
        completionTokens: request.completionTokens,
        costNanos: request.costNanos,
        ...(request.tags && { tags: request.tags }),
      },
    }));
    if (!decision.allowed) throw new QuotaExceededError(decision);
    return new Reservation(id!, {
      commit: (usage) => this.#commitReservation(id!, request, session, reservedAt, usage),
      cancel: () => this.store.cancelReservation(id!),
    });
  }

  /**
   * Runs `call` under a reservation: reserve (throws `QuotaExceededError` if denied; the input's
   * tokens are priced like `reserve` prices them), run the call, then commit the usage `usageOf`
   * reports, or cancel the reservation if the call throws. Resolves once the commit is durable.
   */
  async guard<T>(input: ReserveInput, call: () => Promise<T>, usageOf: (result: T) => ReservedUsage): Promise<T> {
    const reservation = await this.reserve(input);
    let result: T;
    try {
      result = await call();
    } catch (error) {
      await reservation.cancel().catch(() => undefined);
      throw error;
    }
    try {
      await reservation.commit(usageOf(result));
    } catch (error) {
      // The budget must not stay held until the TTL because the usage could not be recorded.
      await reservation.cancel().catch(() => undefined);
      throw error;
    }
    return result;
  }

  async #commitReservation(id: number, request: QuotaRequest, session: string | null, reservedAt: Date, usage: ReservedUsage): Promise<UsageRecordResult> {
    // The record carries the tags the reservation was checked with (the usage may add more).
    const input = { model: request.model, username: request.username, callerName: request.callerName, project: request.projectName, session, ...usage, tags: mergeTags(request.tags, usage.tags) };
    const normalized = normalizeUsage(input, this.defaults, this.#now());
    // The reservation was checked against the windows of its own time: the usage it becomes may
    // not move before that, or back-dated commits would spend outside every current window.
    if (normalized.timestamp.getTime() < reservedAt.getTime()) {
      throw new ValidationError("timestamp", `must not be before the reservation was made (${reservedAt.toISOString()})`);
    }
    const record: NewUsageRecord = await this.#priced(normalized);
    const storedId = await this.store.commitReservation(id, record);
    this.#recorded([record]);
    return usageRecordResult({ id: storedId, ...record });
  }

  /**
   * What `trackUsage(input)` would record as the cost, without recording anything: the given cost,
   * else stored prices or the pricer. Lets a check price a call's tokens the way tracking will.
   */
  async quoteCost(input: UsageInput): Promise<CostQuote & JsonForm<CostQuoteJson>> {
    const normalized = normalizeUsage(withContext(input), this.defaults, this.#now());
    await this.open();
    const { costNanos, costSource } = await this.#priced(normalized);
    return withJsonForm({ costNanos, costSource }, costQuoteJson);
  }

  /**
   * Quotes many calls as tracking would (stored prices, then the pricer), reading the stored
   * prices once: importers that price rows themselves (e.g. per cache-write TTL) use it.
   */
  async quoteUsages(usages: readonly PricedUsage[]): Promise<(PriceQuote | undefined)[]> {
    await this.open();
    const stored = await this.#prices.current();
    return usages.map((usage) => quoteUsage(usage, stored, this.#pricer));
  }

  /** Fills in the cost of a record tracked without one, from stored prices or the pricer. */
  async #priced(record: NewUsageRecord): Promise<NewUsageRecord> {
    if (record.costSource !== null) return record;
    const stored = await this.#prices.current();
    const quoted = withQuotedCost(record, quoteUsage(pricedUsageOf(record), stored, this.#pricer));
    this.#unpriced.notice(quoted);
    return quoted;
  }

  /** Stores a price (USD per million tokens) that wins over the pricer's from its effective date. */
  async setModelPrice(input: ModelPriceInput): Promise<ModelPrice & JsonForm<ModelPriceJson>> {
    const price = validatePrice(input);
    await this.open();
    const stored = await this.store.insertPrice(price);
    this.#prices.invalidate();
    return withJsonForm(stored, modelPriceJson);
  }

  /** Every stored price, by model and effective date. */
  async listModelPrices(): Promise<Array<ModelPrice & JsonForm<ModelPriceJson>>> {
    await this.open();
    return (await this.store.listPrices()).map((price) => withJsonForm(price, modelPriceJson));
  }

  /** Deletes a stored price; throws `NotFoundError` when there is no price with that id. */
  async deleteModelPrice(id: number): Promise<void> {
    if (!Number.isSafeInteger(id)) throw new ValidationError("id", `must be an integer (got ${id})`);
    await this.open();
    if (!(await this.store.deletePrice(id))) throw new NotFoundError(`no model price with ID ${id}`);
    this.#prices.invalidate();
  }

  /**
   * Recomputes the cost of the records in the range from the current prices (stored prices, then
   * the pricer). A dry run unless `apply` is set; returns every change with the old and new cost.
   * Costs the caller gave are kept unless `includeCallerCosts` is set.
   */
  async reprice(start: InstantInput, end: InstantInput, options: RepriceOptions = {}): Promise<RepriceResult & JsonForm<RepriceResultJson>> {
    const range = toRange(start, end);
    await this.open();
    this.#prices.invalidate();
    const stored = await this.#prices.current();
    return withJsonForm(await repriceRecords(this.store, range, (usage) => quoteUsage(usage, stored, this.#pricer), options), repriceResultJson);
  }

  /** The usage a check without a cost stands for (validated before any store is opened); null when a cost was given. */
  #usageToPrice(input: QuotaCheckInput, request: QuotaRequest): NewUsageRecord | null {
    if (input.cost != null) return null;
    return normalizeUsage(usageToPrice(input, request), this.defaults, this.#now());
  }

  /**
   * The request with its cost priced from the tokens exactly as `trackUsage` would price them,
   * and the refusal to apply when that is impossible and a cost limit applies (fail closed).
   */
  async #pricedRequest(input: QuotaCheckInput, request: QuotaRequest, toPrice: NewUsageRecord | null): Promise<{ request: QuotaRequest; refuse: (limits: readonly UsageLimit[]) => QuotaDecision | null }> {
    const never = () => null;
    if (toPrice === null) return { request, refuse: never };
    // No tokens cost nothing at any price: a bare check never needs a price to exist.
    if (toPrice.promptTokens === 0 && toPrice.completionTokens === 0) return { request, refuse: never };
    await this.#pricer?.ready?.();
    const quote = quoteUsage(pricedUsageOf(toPrice), await this.#prices.current(), this.#pricer);
    if (quote?.priced) return { request: { ...request, costNanos: quote.costNanos }, refuse: never };
    if (input.allowUnpriced) return { request, refuse: never };
    const why = quote ? quote.reason : `no price for model '${request.model}' (no stored price and no pricer)`;
    return { request, refuse: (limits) => unpricedRefusal(limits, request, why) };
  }

  async #guarded(
    request: QuotaRequest,
    session: string | null,
    refuse: (limits: readonly UsageLimit[]) => QuotaDecision | null,
    write: (now: Date, latestWindowStart: Date | null) => GuardedWrite,
  ): Promise<{ decision: QuotaDecision; id: number | null }> {
    for (let attempt = 1; ; attempt++) {
      // The store reads the limits version under the lock and the step refuses a stale one, so
      // the first attempt may use the limits already held; a retry reads them again.
      const { limits, version } = (attempt === 1 ? this.#limits.peek() : undefined) ?? (await this.#limits.versioned());
      const lockKeys = limits.filter((limit) => isLimitApplicable(limit, request)).map((limit) => limit.id);
      try {
        const outcome = await this.store.guardedWrite(lockKeys, this.#now, (now, limitsVersion) => {
          // Limits changed between reading them and taking the lock: decide again on the new ones.
          if (limitsVersion !== version) throw new StaleLimits();
          // Decided on the limits the lock covers, so a cost limit added meanwhile is seen.
          const refusal = refuse(limits);
          if (refusal) return { queries: [], decide: () => ({ result: refusal, write: session ? { kind: "rejection", rejection: rejectionOf(session, refusal, now) } : { kind: "none" } }) };
          // Windows end at the far future here: a row another writer committed while we waited, or
          // one stamped by a host whose clock runs ahead, must still count against the budget.
          const plan = planQuota(limits, request, now);
          const queries = plan.queries.map((q) => ({ ...q, end: FAR_FUTURE }));
          const admission = admissionOf(plan, request, () => write(now, latestStart(queries)));
          return {
            queries,
            decide: (usage) => {
              const decision = evaluateQuota(plan, usage, request, now);
              if (decision.allowed) return { result: decision, write: admission?.write ?? write(now, latestStart(queries)) };
              return { result: decision, write: session ? { kind: "rejection", rejection: rejectionOf(session, decision, now) } : { kind: "none" } };
            },
            ...(admission && { admission }),
          };
        });
        return { decision: outcome.result, id: outcome.id };
      } catch (error) {
        if (!(error instanceof StaleLimits)) throw error;
        // Never decide on a stale set (on PostgreSQL a new limit's lock would be missing too).
        if (attempt >= 5) throw new ConflictError("the usage limits changed during each of 5 attempts to check them; try again");
      }
    }
  }

  /** Sums and averages over `start <= timestamp <= end` (of the records the filter keeps, tags included). */
  async getPeriodStats(start: InstantInput, end: InstantInput, filter: TagBreakdownFilter = {}): Promise<UsageStatsResult> {
    const range = toRange(start, end);
    const tagged = taggedFilter(filter);
    await this.open();
    if (tagged) return statsFromTotals(sumGroups(await this.#taggedGroups(range, null, tagged)));
    return statsFromTotals(await this.store.sumUsage(range, filter));
  }

  /** Per-model sums and averages over the range, ordered by model name. */
  async getModelStats(start: InstantInput, end: InstantInput, filter: TagBreakdownFilter = {}): Promise<ModelStats[]> {
    const range = toRange(start, end);
    await this.open();
    const perModel = await this.#perModel(range, filter);
    return perModel.map((totals) => ({ model: totals.model, stats: statsFromTotals(totals) }));
  }

  /** Models ranked by tokens, cost and execution time over the range. */
  async getModelRankings(start: InstantInput, end: InstantInput, filter: TagBreakdownFilter = {}): Promise<ModelRankings> {
    const range = toRange(start, end);
    await this.open();
    return rankModels(await this.#perModel(range, filter));
  }

  /** Usage over the range per user, caller, project, session or model (null: records without one). */
  async getUsageBreakdown(start: InstantInput, end: InstantInput, dimension: UsageDimension, filter: TagBreakdownFilter = {}): Promise<Array<GroupUsageTotals & JsonForm<UsageTotalsJson<GroupUsageTotals>>>> {
    const range = toRange(start, end);
    const tagged = taggedFilter(filter);
    await this.open();
    // Per model the store can answer from its hourly rollup; other columns need the entries.
    const groups: GroupUsageTotals[] = tagged
      ? await this.#taggedGroups(range, dimension, tagged)
      : dimension === "model" && usageFilterFields(filter).length === 0
        ? (await this.store.sumUsageByModel(range)).map(({ model, ...totals }) => ({ key: model, ...totals }))
        : await this.store.sumUsageBy(range, dimension, filter);
    return groups.map((group) => withJsonForm(group, usageTotalsJson));
  }

  async #perModel(range: TimeRange, filter: TagBreakdownFilter): Promise<ModelUsageTotals[]> {
    const tagged = taggedFilter(filter);
    if (!tagged) return this.store.sumUsageByModel(range, filter);
    return (await this.#taggedGroups(range, "model", tagged)).map(({ key, ...totals }) => ({ model: String(key), ...totals }));
  }

  /** Groups of a report narrowed by tags: the store's own query, or paging through the range. */
  async #taggedGroups(range: TimeRange, dimension: UsageDimension | null, filter: TagBreakdownFilter): Promise<GroupUsageTotals[]> {
    return this.store.sumTaggedUsage ? this.store.sumTaggedUsage(range, dimension, filter) : sumTaggedUsageFallback(this.store, range, dimension, filter);
  }

  /**
   * Usage over the range per value of one tag key, ordered by value; records without that tag
   * form the last group (key null). `filter` narrows by columns and by other tags.
   */
  async getUsageByTag(start: InstantInput, end: InstantInput, key: string, filter: TagBreakdownFilter = {}): Promise<Array<GroupUsageTotals & JsonForm<UsageTotalsJson<GroupUsageTotals>>>> {
    checkTagKey(key, "tag");
    const tagFilter = checkTags(filter.tags, "tags");
    const range = toRange(start, end);
    await this.open();
    const narrowed = { ...filter, ...(tagFilter ? { tags: tagFilter } : { tags: undefined }) };
    const groups = this.store.sumUsageByTag ? await this.store.sumUsageByTag(range, key, narrowed) : await sumUsageByTagFallback(this.store, range, key, narrowed);
    return groups.map((group) => withJsonForm(group, usageTotalsJson));
  }

  /**
   * The `n` most recent records, newest first (of the records the filter keeps, and stamped between `since` and
   * `until` inclusive, when the filter says so). A negative `n` returns every record.
   */
  async tail(n = 10, filter: TailFilter = {}): Promise<UsageRecordResult[]> {
    if (!Number.isSafeInteger(n)) throw new ValidationError("n", `must be an integer (got ${n})`);
    await this.open();
    return (await this.store.tail(n < 0 ? Number.MAX_SAFE_INTEGER : n, filter)).map(usageRecordResult);
  }

  /**
   * Up to `limit` records stored after the record with id `afterId`, oldest first (ids grow in the
   * order records are stored): what `tail --follow` polls for.
   */
  async entriesAfter(afterId: number, limit = 1000): Promise<UsageRecordResult[]> {
    if (!Number.isSafeInteger(afterId)) throw new ValidationError("afterId", `must be an integer (got ${afterId})`);
    await this.open();
    return (await this.store.usageInRange(ALL_TIME, afterId, limit)).map(usageRecordResult);
  }

  /** Registers a project (for `enforceProjectNames`); an existing name is a `ConflictError`. */
  async createProject(name: string): Promise<void> {
    requiredName(name, "name");
    await this.open();
    await this.store.createProject(name);
  }

  /** Registered project names, sorted. */
  async listProjects(): Promise<string[]> {
    await this.open();
    return this.store.listProjects();
  }

  /** Renames a project; `NotFoundError` when unknown. Usage already recorded keeps the old name. */
  async renameProject(name: string, newName: string): Promise<void> {
    requiredName(newName, "newName");
    // A name looked up need only be text the store can hold: one stored before the length rule
    // (an import) must stay reachable. Same for deleting projects and changing users.
    checkStorableText(name, "name");
    await this.open();
    if (!(await this.store.renameProject(name, newName))) throw new NotFoundError(`no project named '${name}'`);
  }

  /** Deletes a project from the registry; `NotFoundError` when unknown. */
  async deleteProject(name: string): Promise<void> {
    checkStorableText(name, "name");
    await this.open();
    if (!(await this.store.deleteProject(name))) throw new NotFoundError(`no project named '${name}'`);
  }

  /** Registers a user, enabled (for `enforceUserNames`); an existing name is a `ConflictError`. */
  async createUser(user: { userName: string; ouName?: string | null; email?: string | null }): Promise<UserRecord> {
    const record: NewUser = {
      userName: requiredName(user.userName, "userName"),
      ouName: checkOptionalName(user.ouName ?? null, "ouName", SHORT_TEXT_MAX_LENGTH),
      email: checkOptionalName(user.email ?? null, "email", SHORT_TEXT_MAX_LENGTH),
    };
    await this.open();
    return this.store.createUser(record, this.#now());
  }

  /** Registered users, sorted by name, including deactivated ones. */
  async listUsers(): Promise<UserRecord[]> {
    await this.open();
    return this.store.listUsers();
  }

  /** Changes a user's name, OU or email; `NotFoundError` when unknown. */
  async updateUser(userName: string, changes: UserChanges): Promise<void> {
    checkStorableText(userName, "userName");
    if (changes.newUserName !== undefined) requiredName(changes.newUserName, "newUserName");
    if (changes.ouName != null) checkStorableName(changes.ouName, "ouName", SHORT_TEXT_MAX_LENGTH);
    if (changes.email != null) checkStorableName(changes.email, "email", SHORT_TEXT_MAX_LENGTH);
    await this.open();
    if (!(await this.store.updateUser(userName, changes))) throw new NotFoundError(`no user named '${userName}'`);
  }

  /** Deactivates a user (enforcement then refuses the name), stamping when. */
  async deactivateUser(userName: string): Promise<void> {
    checkStorableText(userName, "userName");
    await this.open();
    if (!(await this.store.setUserEnabled(userName, false, this.#now()))) throw new NotFoundError(`no user named '${userName}'`);
  }

  /** Reactivates a user, stamping when. */
  async reactivateUser(userName: string): Promise<void> {
    checkStorableText(userName, "userName");
    await this.open();
    if (!(await this.store.setUserEnabled(userName, true, this.#now()))) throw new NotFoundError(`no user named '${userName}'`);
  }

  /**
   * Deletes the usage records stored before the purge began (limits, audit entries and registries
   * are kept; records tracked while it runs survive), only those before `options.before` and of
   * `options.project` when given; returns the count.
   */
  async purge(options: PurgeOptions = {}): Promise<number> {
    if (options.before !== undefined) parseInstant(options.before, "before");
    if (options.project !== undefined) checkStorableText(options.project, "project");
    await this.open();
    return this.store.purgeUsage(options);
  }

  /**
   * Runs one read-only SQL statement against the store and collects its rows (bounded: see
   * `MAX_COLLECTED_ROWS`); anything that could write is refused. Use `selectStream` for big results.
   */
  async select(sql: string, options?: QueryStreamOptions): Promise<QueryResult> {
    validateSelect(sql, options);
    await this.open();
    return this.store.readOnlyQuery(sql, options);
  }

  /** Runs one read-only SQL statement, streaming its rows to `sink` in bounded memory. */
  async selectStream(sql: string, sink: QueryRowSink, options?: QueryStreamOptions): Promise<QueryStreamSummary> {
    validateSelect(sql, options);
    await this.open();
    return this.store.streamReadOnlyQuery(sql, sink, options);
  }
}

/** The longest select timeout: Node's longest timer, and PostgreSQL's largest statement_timeout. */
const MAX_QUERY_TIMEOUT_MS = 2 ** 31 - 1;

/** Refuses an empty query and bounds that are not positive whole numbers. */
function validateSelect(sql: unknown, options: QueryStreamOptions | undefined): void {
  if (typeof sql !== "string" || sql.trim() === "") throw new ValidationError("query", "must be a non-empty SQL string");
  const { maxRows, timeoutMs } = options ?? {};
  if (maxRows !== undefined && !(Number.isSafeInteger(maxRows) && maxRows >= 0)) throw new ValidationError("maxRows", "must be a whole number of rows, 0 or more");
  if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw new ValidationError("timeoutMs", "must be a positive number of milliseconds");
  // Beyond this Node's timers fire at once and PostgreSQL refuses the statement_timeout.
  if (timeoutMs !== undefined && timeoutMs > MAX_QUERY_TIMEOUT_MS) throw new ValidationError("timeoutMs", `must be at most ${MAX_QUERY_TIMEOUT_MS} ms (about 24.8 days)`);
}

/** The input with the async context's names filled in where the call gave none. */
function withContext(input: UsageInput): UsageInput {
  const context = currentUsageContext();
  if (!context || input === null || typeof input !== "object") return input;
  return {
    ...input,
    username: input.username ?? context.username,
    project: input.project ?? context.project,
    callerName: input.callerName ?? context.callerName,
    session: input.session ?? context.session,
    tags: mergeTags(context.tags, input.tags),
  };
}

function withQuotaContext<T extends QuotaCheckInput>(input: T): T {
  const context = currentUsageContext();
  if (!context || input === null || typeof input !== "object") return input;
  return {
    ...input,
    username: input.username ?? context.username,
    projectName: input.projectName ?? context.project,
    callerName: input.callerName ?? context.callerName,
    session: input.session ?? context.session,
  };
}

function toRange(start: InstantInput, end: InstantInput): TimeRange {
  const range = { start: parseInstant(start, "start"), end: parseInstant(end, "end") };
  if (range.start.getTime() > range.end.getTime()) throw new ValidationError("end", "must not be before start");
  return range;
}

function requiredName(value: unknown, field: string): string {
  if (typeof value !== "string" || value.trim() === "") throw new ValidationError(field, "must be a non-empty string");
  return checkStorableName(value, field);
}

const FAR_FUTURE = new Date("9999-12-31T23:59:59.999Z");

/** Thrown inside a guarded write to abandon it (nothing written) when the limits changed. */
class StaleLimits extends Error {}


/**
 * The allowed decision of a guarded step stated as bounds a store can check where it sums; none
 * when the plan cannot be bounded or the write refuses (it then throws only if the call is allowed).
 */
function admissionOf(plan: QuotaPlan, request: QuotaRequest, write: () => GuardedWrite): GuardedAdmission<QuotaDecision> | null {
  const bounds = admissionBounds(plan, request);
  if (bounds === null) return null;
  try {
    return { bounds, result: ALLOWED, write: write() };
  } catch {
    return null;
  }
}
/** The start of the shortest window checked (null when no limit applies). */
function latestStart(queries: readonly { readonly start: Date }[]): Date | null {
  let latest: Date | null = null;
  for (const query of queries) if (latest === null || query.start.getTime() > latest.getTime()) latest = query.start;
  return latest;
}

function rejectionOf(session: string, decision: QuotaDecision, now: Date): NewQuotaRejection {
  return { session, createdAt: now, message: decision.reason ?? "quota exceeded" };
}

/** The store's alert methods, when it has them all. */
function alertStoreOf(store: UsageStore): AlertStore | null {
  const { listAlerts, claimAlertDeliveries, finishAlertDelivery, onAlertsRaised } = store;
  if (!listAlerts || !claimAlertDeliveries || !finishAlertDelivery || !onAlertsRaised) return null;
  return store as UsageStore & AlertStore;
}

/** The store's alert methods; a store without them says so. */
function requireAlertStore(store: UsageStore): AlertStore {
  const alerts = alertStoreOf(store);
  if (!alerts) throw new ValidationError("store", `${store.description} does not keep alerts`);
  return alerts;
}

/** The filter with its tags checked, when it names any (such reports take the tagged path); else undefined. */
function taggedFilter(filter: TagBreakdownFilter): TagBreakdownFilter | undefined {
  const tags = checkTags(filter.tags, "tags");
  return tags ? { ...filter, tags } : undefined;
}
