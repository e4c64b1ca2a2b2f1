import type { UsageStore } from "../store/usage-store.js";
import type { NewUsageRecord } from "../store/usage-record.js";
import type { ModelPrice } from "../store/price-records.js";
import type { UsageDefaults } from "../usage/usage-input.js";
import type { Pricer } from "../pricing/pricer.js";
import { PricesCache } from "../pricing/prices-cache.js";
import { pricedUsageOf, quoteUsage, withQuotedCost } from "../pricing/price-record.js";
import { checkTags } from "../usage/usage-tags.js";
import { UsageObservers } from "../usage/usage-observer.js";
import { validateAlertThresholds } from "../alerts/alert-thresholds.js";
import type { AccountingOptions } from "./accounting-options.js";
import { AlertDelivery, callbackTarget } from "./alert-delivery.js";
import { alertStoreOf } from "../fallbacks/alert-methods.js";
import { checkContractVersion } from "./contract-version.js";
import { LimitsCache } from "./limits-cache.js";
import { NameEnforcement } from "./name-enforcement.js";
import { emitUnpricedWarning, UnpricedWarnings } from "./unpriced-warnings.js";

/**
 * What every operation of the `Accounting` facade shares: the store, the defaults, the caches,
 * the observers and the alert delivery, and opening and closing the store once for all of them.
 */
export class FacadeState {
  readonly store: UsageStore;
  readonly defaults: UsageDefaults;
  readonly now: () => Date;
  readonly limits: LimitsCache;
  readonly names: NameEnforcement;
  readonly pricer: Pricer | undefined;
  readonly prices: PricesCache;
  readonly unpriced: UnpricedWarnings;
  readonly defaultAlertAt: readonly number[] | undefined;
  readonly alertDelivery: AlertDelivery | null;
  readonly observers: UsageObservers;
  #stopHearingAlerts: (() => void) | undefined;
  #opening: Promise<void> | undefined;
  // Set once open() has resolved: the batch path then reaches the store without yielding.
  #isOpen = false;

  constructor(options: AccountingOptions) {
    this.store = checkContractVersion(options.store);
    this.defaults = {
      projectName: options.projectName ?? null,
      appName: options.appName ?? null,
      userName: options.userName ?? null,
      // Checked here so a bad default fails when the facade is made, not on every call.
      tags: checkTags(options.tags, "tags") ?? null,
    };
    this.now = options.now ?? (() => new Date());
    this.limits = new LimitsCache(this.store);
    this.pricer = options.pricer;
    this.prices = new PricesCache(this.store, options.priceRefreshMs ?? 5000);
    this.unpriced = new UnpricedWarnings(options.onUnpriced ?? emitUnpricedWarning);
    this.observers = new UsageObservers(options.observers, options.onObserverError);
    this.names = new NameEnforcement(this.store, { projects: options.enforceProjectNames ?? false, users: options.enforceUserNames ?? false });
    this.defaultAlertAt = options.alertAt === undefined ? undefined : validateAlertThresholds(options.alertAt, "alertAt");
    const targets = [...(options.onAlert ? [callbackTarget(options.onAlert)] : []), ...(options.alertTargets ?? [])];
    const store = alertStoreOf(this.store);
    this.alertDelivery = targets.length > 0 && store ? new AlertDelivery(store, targets, { ...options.alertDelivery, now: options.alertDelivery?.now ?? this.now }) : null;
  }

  /** Whether `open()` has resolved (and the store was not closed since). */
  get isOpen(): boolean {
    return this.#isOpen;
  }

  /** Opens the store once (creating and migrating it if needed); a failed open is tried again next time. */
  open(): Promise<void> {
    // Alerts this process raises are delivered right after the write that raised them.
    if (this.alertDelivery && !this.#stopHearingAlerts) {
      const delivery = this.alertDelivery;
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
    await this.alertDelivery?.close();
    this.#opening = undefined;
    this.#isOpen = false;
    await this.store.close();
  }

  /** Tells the observers about records just stored. */
  recorded(records: readonly NewUsageRecord[]): void {
    if (this.observers.active) this.observers.notify(records);
  }

  /** Fills in the cost of a record tracked without one, from stored prices or the pricer. */
  async priced(record: NewUsageRecord): Promise<NewUsageRecord> {
    if (record.costSource !== null) return record;
    return this.pricedWith(record, await this.prices.current());
  }

  /** A record without a cost priced with these stored prices (then the pricer); unpriced models and tiers priced as standard are reported. */
  pricedWith(record: NewUsageRecord, stored: readonly ModelPrice[]): NewUsageRecord {
    const quote = quoteUsage(pricedUsageOf(record), stored, this.pricer);
    const quoted = withQuotedCost(record, quote);
    this.unpriced.notice(quoted, quote?.priced === true && quote.serviceTier !== undefined);
    return quoted;
  }
}
