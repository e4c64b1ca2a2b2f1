import type { Pricer } from "../pricing/pricer.js";
import type { UsageTags } from "../usage/usage-tags.js";
import type { UsageStore } from "../store/usage-store.js";
import type { UnpricedHandler } from "./unpriced-warnings.js";
import type { StoredAlert } from "../store/alert-records.js";
import type { AlertDeliveryOptions, AlertTarget } from "../alerts/deliver-alerts.js";
import type { ObserverErrorHandler, UsageObserver } from "../usage/usage-observer.js";

/** How to build an `Accounting` facade. */
export interface AccountingOptions {
  /** Where usage is kept, e.g. `openSqliteStore()` from `@llm-accounting/storage-prisma`. */
  readonly store: UsageStore;
  /** Project recorded when a call names none. */
  readonly projectName?: string | null;
  /** Caller recorded when a call names none (the original's `app_name`). */
  readonly appName?: string | null;
  /** User recorded when a call names none. */
  readonly userName?: string | null;
  /** Tags on every record (same limits as a call's `tags`); `withUsageContext` and the call override them key by key. */
  readonly tags?: UsageTags | null;
  /** Refuse project names that are not registered (`createProject`). Null projects always pass. */
  readonly enforceProjectNames?: boolean;
  /** Refuse user names that are not registered or are deactivated. Null users always pass. */
  readonly enforceUserNames?: boolean;
  /**
   * Computes the cost of calls tracked without one, e.g. `createPricer()` from
   * `@llm-accounting/pricing`. Prices stored with `setModelPrice` win over it.
   */
  readonly pricer?: Pricer;
  /**
   * Called once per model when a call is recorded as `unpriced` (no cost given and no stored or
   * pricer price: cost 0), and once per provider and service tier priced at the standard price
   * for want of a rule (OpenAI `priority`, ...). Default: a Node process warning (`UnpricedModelWarning`).
   */
  readonly onUnpriced?: UnpricedHandler;
  /** How long stored prices are cached before being read again (ms). Default 5000. */
  readonly priceRefreshMs?: number;
  /**
   * Alert thresholds (fractions of the maximum, e.g. `[0.5, 0.8, 1]`) given to every limit stored
   * through `setUsageLimit` without `alertAt` of its own. Applied when the limit is stored.
   */
  readonly alertAt?: readonly number[];
  /**
   * Called with each alert, once, when it is delivered (see `deliverAlerts`): alerts raised by this
   * process's writes are delivered right after the write; a throw (or rejection) retries it later.
   */
  readonly onAlert?: (alert: StoredAlert) => void | Promise<void>;
  /** More places to deliver alerts to (e.g. a webhook), tried in order after `onAlert`. */
  readonly alertTargets?: readonly AlertTarget[];
  /** Retry and lease settings of alert delivery. */
  readonly alertDelivery?: AlertDeliveryOptions;
  /**
   * Told about every record once it is stored (by `trackUsage`, `trackUsageBatch`, a buffer writing
   * through this facade, and `commit`/`guard`), e.g. `otelObserver()` from `@llm-accounting/otel`.
   * More can be attached later with `observe`.
   */
  readonly observers?: readonly UsageObserver[];
  /** Receives an observer's error (the write succeeded regardless). Default: a process warning. */
  readonly onObserverError?: ObserverErrorHandler;
  /** The clock; inject one in tests. Defaults to `() => new Date()`. */
  readonly now?: () => Date;
}
