import {
  AlertRulesCache,
  alertWindow,
  raiseAlertsSync,
  rulesMatching,
  usageFilterMatches,
  type AlertDeliveryOutcome,
  type AlertFilter,
  type AlertListeners,
  type AlertRule,
  type FilterableUsage,
  type LimitType,
  type NewUsageRecord,
  type StoredAlert,
  type UsageLimit,
} from "@llm-accounting/core";
import { alertExistsSql, alertFromRow, claimAlertsSql, finishAlertSql, insertAlertSql, listAlertsSql, type AlertDialect } from "../shared/alert-sql.js";
import { sqliteTime } from "./batch-encoding.js";
import type { SqliteQuotaBuckets } from "./sqlite-quota-buckets.js";
import type { StatementCache } from "./statement-cache.js";

/** Named parameters: the same value may be used twice in one statement. */
const namedParams = (values: readonly unknown[]): Record<string, unknown> => Object.fromEntries(values.map((v, i) => [`p${i + 1}`, v]));

/** What a row adds to each kind of limit. */
type CountedRow = Pick<NewUsageRecord, "promptTokens" | "completionTokens" | "totalTokens" | "costNanos">;
/** A written row as the alert check sees it. */
type WrittenRow = FilterableUsage & CountedRow;

/**
 * An upper bound of a rule's window usage kept between writes: its last exact sum plus what this
 * process wrote since, and the next threshold level above it (null: all reached).
 */
interface UsageBound {
  key: string;
  amount: number;
  nextLevel: number | null;
}

/** A row's amount in a limit's unit (USD for cost). */
function rowAmount(type: LimitType, row: CountedRow): number {
  switch (type) {
    case "requests":
      return 1;
    case "input_tokens":
      return row.promptTokens;
    case "output_tokens":
      return row.completionTokens;
    case "total_tokens":
      return row.totalTokens;
    case "cost":
      return Number(row.costNanos) / 1e9;
  }
}

/** What the SQLite store lends its alerts: the connection, the quota sums and the limits. */
export interface SqliteAlertSources {
  /** The statements of the store's connection. */
  readonly statements: StatementCache;
  readonly buckets: SqliteQuotaBuckets;
  readonly limitsVersion: () => number;
  readonly limits: () => UsageLimit[];
  readonly date: (value: unknown) => Date;
  /** The counter the update and delete triggers of accounting_entries bump. */
  readonly usageMutations: () => number;
  /** Kept by the store, so listeners added before opening (or across a reopen) still hear. */
  readonly listeners: AlertListeners;
}

/**
 * Alerts of the SQLite store: raised synchronously inside the write transaction that stored the
 * usage, read and leased for delivery with plain SQL on the same connection. Writes far from
 * every threshold skip the sums: per rule, an upper bound of its window usage is kept in process
 * (exact sum plus this process's rows since), valid while no other writer inserted, updated or
 * deleted rows.
 */
export class SqliteAlerts {
  readonly #sources: SqliteAlertSources;
  readonly #dialect: AlertDialect;
  readonly #rules = new AlertRulesCache();
  readonly #bounds = new Map<number, UsageBound>();
  // The bounds count every row up to this id, and the mutations counter stood here.
  #throughId = -1;
  #mutations = -1;

  constructor(sources: SqliteAlertSources) {
    this.#sources = sources;
    this.#dialect = { param: (n) => `@p${n}`, time: sqliteTime, date: sources.date };
  }

  #run(sql: string, values: readonly unknown[]): Record<string, unknown>[] {
    const statement = this.#sources.statements.get(sql);
    return statement.reader ? (statement.all(namedParams(values)) as Record<string, unknown>[]) : (statement.run(namedParams(values)), []);
  }

  /** The rules the written rows could have crossed (none: the write needs no alert check). */
  rulesFor(rows: readonly FilterableUsage[]): AlertRule[] {
    return rulesMatching(this.#rules.get(Date.now(), this.#sources.limitsVersion, this.#sources.limits), rows);
  }

  /** This process changed a limit: read the rules again at the next write. */
  invalidate(): void {
    this.#rules.invalidate();
  }

  /** The largest usage id (batches: the writer does not return its ids). */
  lastUsageId(): number {
    return Number(this.#sources.statements.get("SELECT max(id) FROM accounting_entries", "value").get() ?? 0);
  }

  /**
   * Raises what the rows made due; call inside the write transaction, after the rows are written.
   * `lastId`: the largest usage id now; when the rows just written are the only ones since the
   * last check, rules whose bound stays below their next threshold skip the sums.
   */
  raise(rules: readonly AlertRule[], rows: readonly WrittenRow[], now: Date, lastId?: number): StoredAlert[] {
    const { buckets } = this.#sources;
    this.#followOn(lastId, rows.length);
    const exact = lastId === undefined ? rules : rules.filter((rule) => !this.#boundHolds(rule, rows, now));
    if (exact.length === 0) return [];
    return raiseAlertsSync(exact, rows, now, {
      sums: (queries, at) => buckets.sums(queries, buckets.filterIds(queries), at),
      isRaised: (c) => {
        const { sql, values } = alertExistsSql(this.#dialect, c.rule.limit.id, c.threshold, c.window.key, c.window.quietSince);
        return this.#run(sql, values).length > 0;
      },
      insert: (alert) => {
        const { sql, values } = insertAlertSql(this.#dialect, alert);
        const row = this.#run(sql, values)[0];
        return row ? alertFromRow(this.#dialect, row) : null;
      },
      checked: (rule, used, window) => {
        const next = rule.thresholds.map((t) => t * rule.limit.maxValue).find((level) => level > used) ?? null;
        this.#bounds.set(rule.limit.id, { key: window.key, amount: used, nextLevel: next });
      },
    });
  }

  /**
   * Whether one row, about to be inserted alone, certainly crosses nothing: every rule has a bound
   * for the current window that stays below its next threshold with the row added. The caller
   * then inserts without a transaction and calls `confirm` with the row's id.
   */
  cannotCross(rules: readonly AlertRule[], row: CountedRow, now: Date): boolean {
    return rules.every((rule) => {
      const bound = this.#bounds.get(rule.limit.id);
      if (!bound || bound.key !== alertWindow(rule.limit, now).key) return false;
      return bound.nextLevel === null || bound.amount + rowAmount(rule.limit.limitType, row) < bound.nextLevel;
    });
  }

  /**
   * After an insert `cannotCross` allowed outside a transaction: true when no other writer came
   * in between (the bounds then count the row); false when one did, and the caller must run
   * `raise` in a transaction of its own at once.
   */
  confirm(rules: readonly AlertRule[], row: CountedRow, rowId: number): boolean {
    const mutations = this.#sources.usageMutations();
    if (rowId !== this.#throughId + 1 || mutations !== this.#mutations) {
      this.#bounds.clear();
      return false;
    }
    for (const rule of rules) this.#bounds.get(rule.limit.id)!.amount += rowAmount(rule.limit.limitType, row);
    this.#throughId = rowId;
    return true;
  }

  /**
   * After a batch another connection (the writer thread) committed: true when the bounds show it
   * crossed nothing and nobody else wrote since they were taken (they then count it), so no write
   * transaction is needed; false when the caller must `raise` in one. Reads only.
   */
  batchCannotCross(rules: readonly AlertRule[], rows: readonly WrittenRow[], now: Date): boolean {
    const lastId = this.lastUsageId();
    if (lastId - rows.length !== this.#throughId || this.#sources.usageMutations() !== this.#mutations) return false;
    const added = rules.map((rule) => rows.reduce((sum, row) => (usageFilterMatches(rule.filter, row) ? sum + rowAmount(rule.limit.limitType, row) : sum), 0));
    const holds = rules.every((rule, i) => {
      const bound = this.#bounds.get(rule.limit.id);
      return bound !== undefined && bound.key === alertWindow(rule.limit, now).key && (bound.nextLevel === null || bound.amount + added[i]! < bound.nextLevel);
    });
    if (!holds) return false;
    rules.forEach((rule, i) => (this.#bounds.get(rule.limit.id)!.amount += added[i]!));
    this.#throughId = lastId;
    return true;
  }

  /**
   * Keeps the bounds only while every row since they were taken is one this process wrote and
   * added to them: the ids follow on (ids grow by one under SQLite's single writer, so a gap is
   * another writer's row) and nothing was updated or deleted. Otherwise they are dropped and
   * every rule is summed exactly.
   */
  #followOn(lastId: number | undefined, written: number): void {
    const mutations = lastId === undefined ? -1 : this.#sources.usageMutations();
    if (lastId === undefined || lastId - written !== this.#throughId || mutations !== this.#mutations) this.#bounds.clear();
    this.#throughId = lastId ?? -1;
    this.#mutations = mutations;
  }

  /**
   * Whether a rule's bound shows that the rows just written cannot have made it reach its next
   * threshold in the same window. The bound only grows (rows leaving a rolling window make it
   * an over-estimate), so it errs towards summing.
   */
  #boundHolds(rule: AlertRule, rows: readonly WrittenRow[], now: Date): boolean {
    const bound = this.#bounds.get(rule.limit.id);
    if (!bound || bound.key !== alertWindow(rule.limit, now).key) return false;
    for (const row of rows) if (usageFilterMatches(rule.filter, row)) bound.amount += rowAmount(rule.limit.limitType, row);
    return bound.nextLevel === null || bound.amount < bound.nextLevel;
  }

  /** Tells the listeners, once the transaction that raised the alerts has committed. */
  emit(alerts: readonly StoredAlert[]): void {
    this.#sources.listeners.emit(alerts);
  }

  /** See `AlertStore.listAlerts`. */
  list(filter?: AlertFilter): StoredAlert[] {
    const { sql, values } = listAlertsSql(this.#dialect, filter);
    return this.#run(sql, values).map((r) => alertFromRow(this.#dialect, r));
  }

  /** See `AlertStore.claimAlertDeliveries`: one UPDATE, atomic under SQLite's write lock. */
  claim(now: Date, leaseMs: number, max: number): StoredAlert[] {
    const { sql, values } = claimAlertsSql(this.#dialect, now, leaseMs, max, false);
    return this.#run(sql, values).map((r) => alertFromRow(this.#dialect, r)).sort((a, b) => a.id - b.id);
  }

  /** See `AlertStore.finishAlertDelivery`. */
  finish(id: number, outcome: AlertDeliveryOutcome): void {
    const { sql, values } = finishAlertSql(this.#dialect, id, outcome);
    this.#run(sql, values);
  }
}
