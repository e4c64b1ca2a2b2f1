import type pg from "pg";
import { encodeTags, ValidationError, type GuardedOutcome, type GuardedStep, type GuardedWrite, type NewUsageRecord, type QuotaUsage, type StoredAlert } from "@llm-accounting/core";
import { USAGE_COLUMNS } from "../shared/sql-columns.js";
import { admissionOutcome, admissionStatement, type AdmittedInsert } from "./pg-admission.js";
import type { PgAlerts } from "./pg-alerts.js";
import { inTransaction, withConnection, type OpenTransaction } from "./pg-connection.js";
import { GENERIC_PLAN, type PgQuotaBuckets } from "./pg-quota-buckets.js";
import { LIMITS_VERSION_SQL } from "../shared/quota-buckets.js";
import { INSERT_REJECTION_SQL, INSERT_RESERVATION_SQL, INSERT_SQL, insertParams, LIMIT_LOCK_CLASS, RESERVATION_COLUMNS, reservationParams, usageParams } from "./pg-row-sql.js";
import { retryConflicts } from "./retry-conflicts.js";
import { executeText, literal } from "./simple-protocol.js";

/** What the guarded writer works with: the store's pool (opening it), quota sums, alerts. */
export interface PgGuardedWriterSources {
  readonly pool: () => Promise<pg.Pool>;
  readonly buckets: PgQuotaBuckets;
  readonly alerts: PgAlerts;
  /** Whether several statements may share a round trip (`PostgresqlStoreOptions.batchRoundTrips`). */
  readonly batched: boolean;
}

/**
 * Guarded writes and reservation commits on PostgreSQL: the advisory locks of the limits
 * involved, the sums and the decision, then the write, in one transaction. See the storage-prisma
 * README ("Quota checks") for the round trips each path takes.
 */
export class PgGuardedWriter {
  /** The limits version this store last read, so a guarded write can build its step before taking its locks. */
  limitsVersionSeen: number | undefined;
  readonly #pool: () => Promise<pg.Pool>;
  readonly #buckets: PgQuotaBuckets;
  readonly #alerts: PgAlerts;
  readonly #batched: boolean;

  constructor(sources: PgGuardedWriterSources) {
    this.#pool = sources.pool;
    this.#buckets = sources.buckets;
    this.#alerts = sources.alerts;
    this.#batched = sources.batched;
  }

  /** See `UsageStore.guardedWrite`: the limits' locks, the sums, the decision and the write, atomically. */
  async guardedWrite<T>(lockKeys: readonly number[], clock: () => Date, build: (now: Date, limitsVersion: number) => GuardedStep<T>): Promise<GuardedOutcome<T>> {
    // A retry re-reads the clock and the sums: the decision is always taken on what it writes after.
    const { outcome, raised } = await retryConflicts(() => this.#guardedWrite(lockKeys, clock, build));
    this.#alerts.emit(raised);
    return outcome;
  }

  async #guardedWrite<T>(lockKeys: readonly number[], clock: () => Date, build: (now: Date, limitsVersion: number) => GuardedStep<T>): Promise<{ outcome: GuardedOutcome<T>; raised: StoredAlert[] }> {
    const pool = await this.#pool();
    // Transaction-scoped advisory locks on the limits involved, in one order everywhere so two
    // writers never wait on each other in a cycle. Requests sharing no limit do not block. The
    // keys are integers written into the text (sorted in a subquery, so taken in order).
    const keys = [...new Set(lockKeys)].filter((k) => Number.isSafeInteger(k)).sort((a, b) => a - b);
    const lockCount = keys.length > 0 ? `(SELECT count(pg_advisory_xact_lock(${LIMIT_LOCK_CLASS}, k)) FROM (SELECT unnest(ARRAY[${keys.join(",")}]::int[]) AS k ORDER BY 1) AS keys)` : "";
    const locks = lockCount ? `SELECT ${lockCount}; ` : "";
    return withConnection(pool, async (client, tx) => {
      // The lock is held from its grant to the commit, and every writer of these limits waits
      // that long: so the step is built before, with the limits version last seen. When the step
      // states its admission, the server sums, decides and writes in one statement, and BEGIN,
      // the locks, that statement and COMMIT go in one round trip: the locks are never held across
      // a round trip to this process. Otherwise (or when the admission's bounds or the version do
      // not hold) BEGIN, the locks, the version and the sums go in one round trip; the decision is
      // taken here and the write and COMMIT go in a second. The version is read after the locks
      // are held: if it moved, the step is built again.
      let now = clock();
      let step = this.limitsVersionSeen === undefined || !this.#batched ? null : tryBuild(build, now, this.limitsVersionSeen);
      const admitted = step && (await this.#tryAdmission(client, tx, lockCount, step, now));
      if (admitted) return admitted;
      if (admitted === false) {
        // Refused, or the limits changed: decide on fresh sums the usual way.
        now = clock();
        step = tryBuild(build, now, this.limitsVersionSeen!);
      }
      const ids = step && this.#buckets.knownFilterIds(step.queries);
      const sums = step && ids && step.queries.length > 0 ? this.#buckets.sumsStatement(step.queries, ids, now) : null;
      const execute = sums ? `; ${await executeText(client, sums.sql, sums.params)}` : "";
      tx.open = true;
      const begun = (await client.query(`BEGIN; SET LOCAL synchronous_commit = off; ${GENERIC_PLAN}; ${locks}${LIMITS_VERSION_SQL}${execute}`)) as unknown as pg.QueryResult[];
      const version = Number((begun[begun.length - (execute ? 2 : 1)] as pg.QueryResult<{ value: bigint }>).rows[0]?.value ?? 0);
      const guessed = this.limitsVersionSeen;
      this.limitsVersionSeen = version;
      let usage: QuotaUsage[];
      // Summing afresh may register filters (rows of their own): then even a write of nothing commits durably.
      let registered = false;
      if (step && ids && version === guessed) {
        usage = sums ? await this.#buckets.completeSums(client, step.queries, ids, begun[begun.length - 1]!.rows, now) : [];
      } else {
        now = clock();
        step = build(now, version);
        registered = this.#buckets.knownFilterIds(step.queries) === null;
        const filterIds = await this.#buckets.filterIds(client, step.queries, { pool, inTransaction: client });
        usage = await this.#buckets.sums(client, step.queries, filterIds, now);
      }
      const decision = step.decide(usage);
      const { id, raised } = await this.#writeAndCommit(client, decision.write, now, registered);
      tx.open = false;
      return { outcome: { result: decision.result, id }, raised };
    });
  }

  /**
   * The one-round-trip guarded write (see `admissionStatement`): the outcome when the server
   * admitted and wrote, false when it did not (a bound or the limits version failed; nothing was
   * written), null when the step cannot be decided that way (no admission, unknown filters, a row
   * that may raise an alert).
   */
  async #tryAdmission<T>(client: pg.PoolClient, tx: OpenTransaction, lockCount: string, step: GuardedStep<T>, now: Date): Promise<{ outcome: GuardedOutcome<T>; raised: StoredAlert[] } | false | null> {
    const admission = step.admission;
    if (!admission || step.queries.length === 0) return null;
    const ids = this.#buckets.knownFilterIds(step.queries);
    if (ids === null) return null;
    const insert = await this.#admittedInsert(admission.write);
    if (insert === null) return null;
    const { sql, params } = admissionStatement(step.queries, ids, now, admission.bounds, this.limitsVersionSeen!, insert);
    // Expired reservations go under the same locks, as in the two-round-trip path.
    const expired = insert.table === "quota_reservations" ? `DELETE FROM quota_reservations WHERE expires_at <= ${literal(now)}; ` : "";
    const execute = await executeText(client, sql, params);
    tx.open = true;
    // The transaction's settings and its locks in one statement: every statement of the message costs.
    const settings = `SELECT set_config('synchronous_commit', 'off', true), set_config('plan_cache_mode', 'force_generic_plan', true)${lockCount ? `, ${lockCount}` : ""}`;
    const results = (await client.query(`BEGIN; ${settings}; ${expired}${execute}; ${DURABLE_COMMIT}`)) as unknown as pg.QueryResult[];
    tx.open = false;
    const rows = results.find((result) => result.fields?.some((field) => field.name === "q"))!.rows;
    const { id, limitsVersion } = admissionOutcome(rows);
    this.limitsVersionSeen = limitsVersion;
    return id === null ? false : { outcome: { result: admission.result, id }, raised: [] };
  }

  /** The row an admitted write inserts; null for one the admission path does not take (a usage row that may raise an alert). */
  async #admittedInsert(write: GuardedWrite): Promise<AdmittedInsert | null> {
    if (write.kind === "usage") {
      if ((await this.#alerts.rulesFor([write.record])).length > 0) return null;
      return { table: "accounting_entries", columns: USAGE_COLUMNS, values: usageParams(write.record), tags: encodeTags(write.record.tags) };
    }
    if (write.kind === "reservation") return { table: "quota_reservations", columns: RESERVATION_COLUMNS, values: reservationParams(write.reservation), tags: write.reservation.tags ? JSON.stringify(write.reservation.tags) : null };
    return null;
  }

  /** Performs a guarded write in the open transaction and commits it: one round trip unless the row may raise an alert. */
  async #writeAndCommit(client: pg.PoolClient, write: GuardedWrite, now: Date, wroteAlready: boolean): Promise<{ id: number | null; raised: StoredAlert[] }> {
    if (write.kind === "usage") {
      const rules = await this.#alerts.rulesFor([write.record]);
      if (rules.length === 0) return { id: await this.#insertAndCommit(client, INSERT_SQL, insertParams(write.record), DURABLE_COMMIT), raised: [] };
      const id = Number((await client.query<{ id: number }>(INSERT_SQL, insertParams(write.record))).rows[0]!.id);
      const raised = await this.#alerts.raise(client, rules, [write.record], now);
      await client.query(DURABLE_COMMIT);
      return { id, raised };
    }
    if (write.kind === "reservation") {
      const r = write.reservation;
      const values = [...reservationParams(r), r.tags ? JSON.stringify(r.tags) : null];
      return { id: await this.#insertAndCommit(client, INSERT_RESERVATION_SQL, values, DURABLE_COMMIT, `DELETE FROM quota_reservations WHERE expires_at <= ${literal(now)}`), raised: [] };
    }
    if (write.kind === "rejection") {
      const values = [write.rejection.createdAt, write.rejection.session, write.rejection.message];
      return { id: await this.#insertAndCommit(client, INSERT_REJECTION_SQL, values, DURABLE_COMMIT), raised: [] };
    }
    await client.query(wroteAlready ? DURABLE_COMMIT : "COMMIT");
    return { id: null, raised: [] };
  }

  /**
   * Runs `before` (plain SQL, no parameters), an INSERT ... RETURNING id and `commit` in the open
   * transaction; returns the id. One round trip when batching (the insert as `EXECUTE` of a
   * statement prepared on this connection), else one per statement.
   */
  async #insertAndCommit(client: pg.PoolClient, sql: string, values: unknown[], commit: string, before?: string): Promise<number> {
    const prefix = before ? `${before}; ` : "";
    if (this.#batched) return committedId(client, `${prefix}${await executeText(client, sql, values)}; ${commit}`);
    if (before) await client.query(before);
    const id = Number((await client.query<{ id: number }>(sql, values)).rows[0]!.id);
    await client.query(commit);
    return id;
  }

  /** Replaces a reservation by the usage it became, in one transaction. */
  async commitReservation(reservationId: number, record: NewUsageRecord): Promise<number> {
    const pool = await this.#pool();
    const rules = await this.#alerts.rulesFor([record]);
    const { id, raised } = await retryConflicts(() => this.#commitReservation(pool, reservationId, record, rules));
    this.#alerts.emit(raised);
    return id;
  }

  async #commitReservation(pool: pg.Pool, reservationId: number, record: NewUsageRecord, rules: Parameters<PgAlerts["raise"]>[1]): Promise<{ id: number; raised: StoredAlert[] }> {
    // BEGIN and the delete in one round trip (the id is an integer written into the text).
    if (!Number.isSafeInteger(reservationId)) throw new ValidationError("reservationId", `must be an integer (got ${reservationId})`);
    const begin = `BEGIN; DELETE FROM quota_reservations WHERE id = ${reservationId}`;
    if (rules.length > 0) {
      return inTransaction(pool, async (client) => {
        const id = Number((await client.query<{ id: number }>(INSERT_SQL, insertParams(record))).rows[0]!.id);
        return { id, raised: await this.#alerts.raise(client, rules, [record], new Date()) };
      }, begin);
    }
    // Without alerts, the whole swap is one round trip: the reservation counts until this commits.
    return withConnection(pool, async (client, tx) => {
      tx.open = true;
      const id = await this.#insertAndCommit(client, INSERT_SQL, insertParams(record), "COMMIT", begin);
      tx.open = false;
      return { id, raised: [] };
    });
  }
}

/** Builds the step for a guessed limits version; null when it refuses that version (it is built again under the lock). */
function tryBuild<T>(build: (now: Date, limitsVersion: number) => GuardedStep<T>, now: Date, version: number): GuardedStep<T> | null {
  try {
    return build(now, version);
  } catch {
    return null;
  }
}

/**
 * How a guarded write commits. Its limits stay locked until COMMIT, so that COMMIT is asynchronous
 * (`SET LOCAL synchronous_commit = off` at BEGIN): the locks go as soon as the row is visible,
 * and the next writer of the same limits need not wait for this one's disk flush. The caller is
 * answered only after a second, synchronous commit flushed the WAL past it: an acknowledged write
 * is durable. That commit must write WAL of its own, or PostgreSQL skips the flush (a transaction
 * id alone is not enough, as the server-crash test showed): a transactional logical message is
 * the smallest such write, takes no lock and needs no privilege or table. A crash in between
 * loses only writes nobody was told about, and only a suffix of the WAL, so every decision a
 * later durable write took on this one's row still holds.
 */
// The message statement after COMMIT runs in an implicit transaction of its own, committed (synchronously) before the server answers.
const DURABLE_COMMIT = "COMMIT; SELECT pg_logical_emit_message(true, 'llm-accounting', 'durable')";

/** Runs statements ending in COMMIT in one round trip; the id the one statement returning rows returned. */
async function committedId(client: pg.PoolClient, text: string): Promise<number> {
  const results = (await client.query(text)) as unknown as pg.QueryResult<{ id: number }>[];
  const inserted = results.find((result) => result.rows?.length > 0);
  return Number(inserted!.rows[0]!.id);
}
