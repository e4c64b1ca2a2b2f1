import type { NewUsageLimit, UsageLimit } from "./limit-records.js";
import type { QuotaUsage, UsageQuery } from "./quota-usage.js";
import type { AgentImportStore } from "./agent-import-records.js";
import type { AuditStore } from "./audit-records.js";
import type { ImportStore } from "./import-records.js";
import type { QueryResult, QueryRowSink, QueryStreamOptions, QueryStreamSummary } from "./query-result.js";
import type { RegistryStore } from "./registry-records.js";
import type { GuardedOutcome, GuardedStep, LimitFilter, NewQuotaRejection, QuotaRejection } from "./quota-records.js";
import type { ProgressListener, PurgeOptions } from "./progress.js";
import type { TimeRange } from "./time-range.js";
import type { NewUsageRecord, UsageRecord } from "./usage-record.js";
import type { CostChange } from "./cost-change.js";
import type { PriceStore } from "./price-records.js";
import type { AlertStore } from "./alert-records.js";
import type { StoreCapability } from "./store-capabilities.js";
import type { GroupUsageTotals, ModelUsageTotals, TagBreakdownFilter, TailFilter, UsageDimension, UsageRecordFilter, UsageTotals } from "./usage-totals.js";

/**
 * The store contract: everything llm-accounting needs from a database. Adapters implement it;
 * `@llm-accounting/testkit` checks an implementation against the shared scenarios.
 * Every method may be called before `open()`; implementations open lazily.
 * The optional methods come in parts a store declares in `capabilities` (`STORE_CAPABILITIES`):
 * the agent-log import methods (a store without them cannot take `import --from-claude-code`
 * and says so), the alert methods (a store without them keeps no alerts; the facade says so when
 * asked for them), the import methods (`ImportStore`: without them `import` refuses the store),
 * and the rest, which the facade does without as each one's doc tells.
 */
export interface UsageStore extends AuditStore, RegistryStore, Partial<ImportStore>, Partial<AgentImportStore>, Partial<AlertStore>, PriceStore {
  /** Where the data lives, for messages (e.g. `sqlite:data/accounting.sqlite`); never a password. */
  readonly description: string;
  /** The contract version the store implements, as a literal (`STORE_CONTRACT_VERSION` when it was written). */
  readonly contractVersion: number;
  /** The optional parts it implements: exactly those whose methods it has. */
  readonly capabilities: readonly StoreCapability[];
  /** Connects and brings the schema up to date. Idempotent; safe to call from many processes at once. */
  open(): Promise<void>;
  /** Releases connections. The store may be opened again. */
  close(): Promise<void>;
  /** Stores one record durably before resolving; returns its id. */
  insertUsage(record: NewUsageRecord): Promise<number>;
  /** Stores many records atomically: all of them or none. */
  insertUsageBatch(records: readonly NewUsageRecord[]): Promise<void>;
  /** Sums every record in the range (of one session when the filter names it). */
  sumUsage(range: TimeRange, filter?: UsageRecordFilter): Promise<UsageTotals>;
  /**
   * Sums the records in the range per model, ordered by model name. Optional, with `sumUsageBy`
   * (capability `groupedSums`): without them the facade pages through `usageInRange` and sums in memory.
   */
  sumUsageByModel?(range: TimeRange, filter?: UsageRecordFilter): Promise<ModelUsageTotals[]>;
  /** Sums the records in the range per value of a column (null is a group of its own, last), ordered by value. Optional, see `sumUsageByModel`. */
  sumUsageBy?(range: TimeRange, dimension: UsageDimension, filter?: UsageRecordFilter): Promise<GroupUsageTotals[]>;
  /**
   * Sums the records in the range per value of one tag key, ordered by value; records without
   * that tag form the last group (key null). Optional: without it the facade pages through
   * `usageInRange` and sums in memory.
   */
  sumUsageByTag?(range: TimeRange, key: string, filter?: TagBreakdownFilter): Promise<GroupUsageTotals[]>;
  /**
   * Sums the records in the range that carry every tag of the filter (and match its columns), per
   * value of a column (dimension null: a single group, key null), ordered as `sumUsageBy`.
   * Optional: without it the facade pages through `usageInRange` and sums in memory.
   */
  sumTaggedUsage?(range: TimeRange, dimension: UsageDimension | null, filter: TagBreakdownFilter): Promise<GroupUsageTotals[]>;
  /** The `limit` most recent records, newest first (by timestamp, then id), of the filter's session and time range. */
  tail(limit: number, filter?: TailFilter): Promise<UsageRecord[]>;
  /** Up to `limit` records in the range with an id above `afterId`, in id order (for paging through a period). */
  usageInRange(range: TimeRange, afterId: number, limit: number): Promise<UsageRecord[]>;
  /**
   * Sets the cost of each record. Large lists are written in bounded transactions (a few thousand
   * rows each) so other processes keep recording meanwhile: a failure can leave the earlier
   * transactions applied, which is safe because each change is an absolute value (running the
   * same changes again finishes the job). Unknown ids are ignored. `onProgress` hears after each
   * transaction. Optional (capability `costUpdates`): without it a reprice can only be a dry run.
   */
  updateCosts?(changes: readonly CostChange[], onProgress?: ProgressListener): Promise<void>;
  /**
   * Deletes every usage record stored before the purge began, in bounded transactions so other
   * processes keep recording meanwhile; records stored while it runs are kept. Returns how many
   * were deleted.
   */
  purgeUsage(options?: PurgeOptions): Promise<number>;
  /**
   * Runs one read-only SQL query and collects its rows (at most `MAX_COLLECTED_ROWS`, else
   * `QueryRejectedError`); same guarantees as `streamReadOnlyQuery`.
   */
  readOnlyQuery(sql: string, options?: QueryStreamOptions): Promise<QueryResult>;
  /**
   * Runs one read-only SQL query, streaming its rows to `sink` in bounded memory. Must refuse,
   * with `QueryRejectedError`, anything that could change data or reach outside the database (a
   * write, a second statement, ATTACH, a writing PRAGMA, COPY, locks, settings, side-effecting
   * functions) whatever the connection's privileges, and stop a step that outlasts the timeout.
   */
  streamReadOnlyQuery(sql: string, sink: QueryRowSink, options?: QueryStreamOptions): Promise<QueryStreamSummary>;

  /** Stores a limit; returns it with id and timestamps. */
  insertLimit(limit: NewUsageLimit): Promise<UsageLimit>;
  /** Limits matching every given filter, in insertion (id) order. */
  listLimits(filter?: LimitFilter): Promise<UsageLimit[]>;
  /** Deletes a limit; false when no limit has that id. */
  deleteLimit(id: number): Promise<boolean>;
  /** A number that changes whenever any process adds, changes or deletes a limit. */
  limitsVersion(): Promise<number>;
  /** Optional: every limit and the limits version they were read at, in one read (a first check on a server costs one round trip less). */
  limitsWithVersion?(): Promise<{ limits: UsageLimit[]; version: number }>;
  /**
   * A number that changes whenever any process changes or deletes usage records (a reprice, a
   * purge); new records are seen by their ids instead. Optional: without it, a watcher such as the
   * dashboard notices only new records.
   */
  usageMutations?(): Promise<number>;
  /**
   * For each query, the usage rows it matches plus the reservations open at `now` (created in the
   * window, not yet expired) — the sums quota checks compare with limits.
   */
  sumQuotaUsage(queries: readonly UsageQuery[], now: Date): Promise<QuotaUsage[]>;
  /**
   * Optional: `sumQuotaUsage` plus the limits version of the same snapshot, so a check can plan
   * with the limits it read before and still never decide on stale ones, in one round trip where
   * each read is one (a server). Stores where reading the version is cheap need not have it.
   */
  sumQuotaUsageVersioned?(queries: readonly UsageQuery[], now: Date): Promise<{ usage: QuotaUsage[]; limitsVersion: number }>;
  /**
   * Atomic check-and-write: under a lock that every other guarded write touching any of `lockKeys`
   * (limit ids) also takes, builds the step for an instant read from `clock`, sums its queries,
   * calls its `decide` and performs the write it returns before anyone else can sum. Across
   * processes, so N workers sharing a budget never overshoot it. The sums must be read once the
   * lock is held; the clock may be read before (the step's windows end in the far future, so
   * rows committed while this writer waited count either way; an earlier instant only starts a
   * rolling window earlier, which counts more, never less). The step also gets the limits version
   * read under the lock; a step built before the lock with another version must be built again,
   * so a caller whose limits changed meanwhile can abort (by throwing) and retry with the new ones.
   */
  guardedWrite<T>(lockKeys: readonly number[], clock: () => Date, step: (now: Date, limitsVersion: number) => GuardedStep<T>): Promise<GuardedOutcome<T>>;
  /** Replaces a reservation with the usage record of the finished call, atomically; returns the record id. */
  commitReservation(reservationId: number, record: NewUsageRecord): Promise<number>;
  /** Releases a reservation; false when it was already gone (committed, cancelled or expired and swept). */
  cancelReservation(reservationId: number): Promise<boolean>;
  /** Records a denied check that carried a session. */
  insertRejection(rejection: NewQuotaRejection): Promise<number>;
  /** Rejections, newest first, optionally of one session. */
  listRejections(session?: string): Promise<QuotaRejection[]>;
}
