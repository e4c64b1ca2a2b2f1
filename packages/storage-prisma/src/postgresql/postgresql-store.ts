import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import {
  encodeTags,
  type TagBreakdownFilter,
  type CostChange,
  type LimitFilter,
  type NewUsageLimit,
  type UsageLimit,
  usageFilterFor,
  StoreUnavailableError,
  ValidationError,
  type GuardedStep,
  type GuardedOutcome,
  type GuardedWrite,
  type QuotaUsage,
  type UsageQuery,
  type ImportBatch,
  type ImportCursor,
  type GroupUsageTotals,
  type UsageDimension,
  type UsageRecordFilter,
  usageFilterFields,
  type ModelUsageTotals,
  type NewUsageRecord,
  collectQueryRows,
  type QueryResult,
  type QueryRowSink,
  type QueryStreamOptions,
  type QueryStreamSummary,
  type TimeRange,
  type UsageStore,
  type UsageTotals,
  type ProgressListener,
  type PurgeOptions,
  type AgentCall,
  type AgentImportCounts,
  type AgentLogFile,
  AlertListeners,
  type AlertDeliveryOutcome,
  type AlertFilter,
  type AlertListener,
  type StoredAlert,
} from "@llm-accounting/core";
import type { PrismaClient } from "../generated/postgresql/client.js";
import { postgresqlMigrations } from "../generated/migrations.js";
import { migratePostgresqlOn } from "../migrate/postgresql-migrator.js";
import { postgresqlSchemaState } from "../migrate/postgresql-schema-check.js";
import { schemaRefusal } from "../migrate/schema-state.js";
import { PrismaModelStore, type PrismaModels } from "../shared/prisma-model-store.js";
import { PgQuotaBuckets } from "./pg-quota-buckets.js";
import { PgAlerts } from "./pg-alerts.js";
import { limitFromSqlRow, listLimitsSql } from "../shared/prisma-limits.js";
import { splitByDay, splitByHour, splitParams } from "../shared/hour-split.js";
import { dailyDimsKey, dailyDimsSumSql, filteredSumSql, filterParams, tagFilterParams, tagSumSql, rangeSumSql, ROLLED_UP_DIMENSIONS, totalsFromRow, USAGE_COLUMNS, type SumDialect, type TotalsRow } from "../shared/sql-columns.js";
import { TagSums } from "../shared/tag-sums.js";
import type { TagSqlDialect } from "../shared/tag-rollup-sql.js";
import { redactConnectionString, resolveConnectionString } from "./connection-string.js";
import { retryConflicts } from "./retry-conflicts.js";
import { executeText, literal } from "./simple-protocol.js";
import { classifyMethodErrors, classifyPgError } from "./pg-errors.js";
import { streamReadOnlyPgQuery } from "./read-only-query.js";
import { pgAgentLogFiles, pgImportAgentCalls } from "./agent-import.js";

// Not classified: open and close report their own errors; readOnlyQuery reports QueryRejectedError;
// the accessors hand out the raw client and pool.
const UNCLASSIFIED_METHODS = new Set(["open", "close", "readOnlyQuery", "streamReadOnlyQuery", "models", "prisma", "pool"]);

/** Options of the PostgreSQL store. */
export interface PostgresqlStoreOptions {
  /** `postgresql://user:password@host:port/database`; defaults to $POSTGRESQL_CONNECTION_STRING. */
  readonly connectionString?: string;
  /** Largest number of pooled connections. Default 10. */
  readonly maxConnections?: number;
  /** How long a call waits for a pooled connection (a new one, or a free one when all are busy), in ms, before failing. Default 5,000. */
  readonly connectTimeoutMs?: number;
  /**
   * For readers (reports, `select`, the dashboard): never create or migrate the schema, and run
   * every transaction read-only on the server (default false). A database that is not an
   * llm-accounting one, or one an older version wrote, is refused with one line.
   */
  readonly readOnly?: boolean;
  /**
   * Guarded writes send several statements per round trip, with values as literals of statements
   * prepared once per connection (`PREPARE`): two round trips instead of five (default true). Set
   * false behind a pooler in transaction mode (PgBouncer), which cannot keep SQL-level prepared
   * statements across transactions.
   */
  readonly batchRoundTrips?: boolean;
}

const placeholders = USAGE_COLUMNS.map((_, i) => `$${i + 1}`).join(", ");
// One statement writes the row and its tags (jsonb_each_text of NULL yields no rows), so every
// caller gets both atomically without a transaction of its own.
const TAGS_PARAM = USAGE_COLUMNS.length + 1;
const INSERT_SQL =
  `WITH entry AS (INSERT INTO accounting_entries (${USAGE_COLUMNS.join(", ")}) VALUES (${placeholders}) RETURNING id), ` +
  `tags AS (INSERT INTO usage_tags (entry_id, key, value) SELECT entry.id, t.key, t.value FROM entry, jsonb_each_text($${TAGS_PARAM}::jsonb) AS t) ` +
  "SELECT id FROM entry";
const PG_DIALECT: SumDialect = {
  param: (n) => `$${n}::timestamptz`,
  micros: (column) => `round(${column} * 1000000)::bigint`,
  integer: (expression) => `${expression}::bigint`,
};
const SUM_RANGE_SQL = rangeSumSql(PG_DIALECT, false);
// Parameters 1 and 2 of the filtered sums are instants, the others the filter's values.
const PG_FILTERED: SumDialect = { ...PG_DIALECT, param: (n) => (n <= 2 ? `$${n}::timestamptz` : `$${n}`) };
const SUM_BY_MODEL_SQL = rangeSumSql(PG_DIALECT, true);
const PG_TAG_DIALECT: TagSqlDialect = { ...PG_DIALECT, placeholder: (n, value) => (value instanceof Date ? `$${n}::timestamptz` : `$${n}`), time: (d) => d };

// Rows per write transaction of updateCosts and purgeUsage: a concurrent tracker waits for one
// chunk's rollup row locks at most, not for the whole operation.
const ROWS_PER_TRANSACTION = 5_000;

// Advisory locks take two int4 keys: this class id (any constant) and the limit id.
const LIMIT_LOCK_CLASS = 0x4c4c4d41;
const BATCH_LOCK_CLASS = 0x4c4c4d42;

// int8 (COUNT, SUM::bigint, cost_nanos) arrives as text by default; read it as BigInt so money stays exact.
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20 ? (value: string) => BigInt(value) : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
};

/**
 * Usage store on PostgreSQL. One `pg` pool serves Prisma (through @prisma/adapter-pg) and the
 * statements Prisma cannot express: sums, multi-statement migrations, read-only transactions.
 */
export class PostgresqlStore extends PrismaModelStore implements UsageStore {
  readonly description: string;
  readonly contractVersion = 1;
  readonly capabilities = ["groupedSums", "tagSums", "taggedSums", "costUpdates", "imports", "agentImport", "alerts", "usageMutations", "versionedLimits", "versionedQuotaSums"] as const;
  readonly #connectionString: string;
  readonly #options: PostgresqlStoreOptions;
  #pool: pg.Pool | undefined;
  #prisma: Promise<PrismaClient> | undefined;
  #opening: Promise<void> | undefined;
  readonly #quotaBuckets: PgQuotaBuckets;
  readonly #alertListeners = new AlertListeners();
  readonly #alerts: PgAlerts;
  // The limits version this store last read, so a guarded write can build its step before taking its locks.
  #limitsVersionSeen: number | undefined;
  readonly #batched: boolean;

  constructor(options: PostgresqlStoreOptions = {}) {
    super();
    this.#options = options;
    this.#batched = options.batchRoundTrips !== false;
    this.#connectionString = resolveConnectionString(options.connectionString);
    this.#quotaBuckets = new PgQuotaBuckets(options.readOnly !== true);
    this.#alerts = new PgAlerts({
      pool: () => this.pool(),
      buckets: this.#quotaBuckets,
      limitsVersion: () => this.limitsVersion(),
      limits: () => this.listLimits(),
      listeners: this.#alertListeners,
    });
    this.description = `postgresql:${redactConnectionString(this.#connectionString)}`;
    // An open store losing its server (an outage, a restart, a dropped connection) reports
    // StoreUnavailableError from every method, and a value the server refuses RecordRejectedError.
    const where = redactConnectionString(this.#connectionString);
    classifyMethodErrors(this, UNCLASSIFIED_METHODS, (error) => classifyPgError(error, where));
  }

  protected async models(): Promise<PrismaModels> {
    return this.prisma();
  }

  /** The Prisma client over this store's pool (opens the store). */
  async prisma(): Promise<PrismaClient> {
    await this.open();
    // Created on first use: the client loads a WebAssembly query compiler the hot paths never need.
    this.#prisma ??= import("../generated/postgresql/client.js").then(({ PrismaClient }) => new PrismaClient({ adapter: new PrismaPg(this.#pool!) }));
    return this.#prisma;
  }

  /** The `pg` pool (opens the store). */
  async pool(): Promise<pg.Pool> {
    await this.open();
    return this.#pool!;
  }

  open(): Promise<void> {
    this.#opening ??= this.#open().catch((error: unknown) => {
      this.#opening = undefined;
      throw error;
    });
    return this.#opening;
  }

  async #open(): Promise<void> {
    const readOnly = this.#options.readOnly === true;
    const pool = new pg.Pool({
      connectionString: this.#connectionString,
      // JIT off: our statements take a millisecond, and a quota check's estimated cost can pass
      // jit_above_cost, when compiling it took 30 ms (seen at 1M rows). Read-only: the server
      // itself then refuses every write on these connections, whatever runs on them.
      options: readOnly ? "-c jit=off -c default_transaction_read_only=on" : "-c jit=off",
      max: this.#options.maxConnections ?? 10,
      connectionTimeoutMillis: this.#options.connectTimeoutMs ?? 5_000,
      types,
    });
    // An idle client losing its server must not crash the process; the next query reports it.
    pool.on("error", () => undefined);
    try {
      // The schema is checked (or migrated) on the pool's first connection, which then serves
      // the first call: opening connects once.
      const client = await pool.connect();
      try {
        if (readOnly) await this.#refuseUnlessCurrent(client);
        else await migratePostgresqlOn(client, undefined, postgresqlMigrations);
      } finally {
        client.release();
      }
    } catch (error) {
      await pool.end().catch(() => undefined);
      if (error instanceof ValidationError || error instanceof StoreUnavailableError) throw error;
      throw new StoreUnavailableError(`cannot open PostgreSQL ${redactConnectionString(this.#connectionString)}: ${describePgError(error)}`, { cause: error });
    }
    this.#pool = pool;
  }

  /** Read-only opening: refuses another application's database, or ours before this version's migrations. */
  async #refuseUnlessCurrent(client: pg.ClientBase): Promise<void> {
    const refusal = schemaRefusal(await postgresqlSchemaState(client, postgresqlMigrations), redactConnectionString(this.#connectionString));
    if (refusal?.foreign) throw new ValidationError("postgresqlConnectionString", refusal.message);
    if (refusal) throw new StoreUnavailableError(refusal.message);
  }

  async close(): Promise<void> {
    const opening = this.#opening;
    this.#opening = undefined;
    if (!opening) return;
    await opening.catch(() => undefined);
    const prisma = this.#prisma;
    if (prisma) await (await prisma.catch(() => undefined))?.$disconnect();
    await this.#pool?.end();
    this.#prisma = undefined;
    this.#pool = undefined;
  }

  async #query<T>(sql: string, params: unknown[]): Promise<pg.QueryResult<T & pg.QueryResultRow>> {
    await this.open();
    return this.#pool!.query<T & pg.QueryResultRow>(sql, params);
  }

  /**
   * Runs `work` on one pooled connection. While `work` marks a transaction open (`tx.open`), a
   * throw rolls it back; a connection that cannot even roll back is dead and is destroyed rather
   * than pooled.
   */
  async #withConnection<T>(work: (client: pg.PoolClient, tx: { open: boolean }) => Promise<T>): Promise<T> {
    await this.open();
    const client = await this.#pool!.connect();
    // A checked-out client whose connection dies also emits 'error' (the pool listens only to idle
    // ones): unheard, that would crash the process. The failed query reports it to the caller.
    client.on("error", ignoreConnectionError);
    const tx = { open: false };
    let broken = false;
    try {
      return await work(client, tx);
    } catch (error) {
      if (tx.open) broken = await client.query("ROLLBACK").then(() => false, () => true);
      throw error;
    } finally {
      client.off("error", ignoreConnectionError);
      client.release(broken);
    }
  }

  /** Runs `work` in one transaction on one pooled connection: committed if it resolves, rolled back if it throws. */
  async #transaction<T>(work: (client: pg.PoolClient, begun: pg.QueryResult[]) => Promise<T>, begin = "BEGIN"): Promise<T> {
    return this.#withConnection(async (client, tx) => {
      tx.open = true;
      // `begin` may hold more statements after BEGIN (simple protocol: one round trip for all).
      const begun = (await client.query(begin)) as pg.QueryResult | pg.QueryResult[];
      const result = await work(client, Array.isArray(begun) ? begun : [begun]);
      await client.query("COMMIT");
      tx.open = false;
      return result;
    });
  }

  async insertUsage(record: NewUsageRecord): Promise<number> {
    await this.pool();
    const rules = await this.#alerts.rulesFor([record]);
    // No limit with thresholds counts this row: one autocommit statement, as without alerts.
    if (rules.length === 0) return Number((await retryConflicts(() => this.#query<{ id: number }>(INSERT_SQL, insertParams(record)))).rows[0]!.id);
    const { id, raised } = await retryConflicts(() =>
      this.#transaction(async (client) => {
        const id = Number((await client.query<{ id: number }>(INSERT_SQL, insertParams(record))).rows[0]!.id);
        return { id, raised: await this.#alerts.raise(client, rules, [record], new Date()) };
      }),
    );
    this.#alerts.emit(raised);
    return id;
  }

  async insertUsageBatch(records: readonly NewUsageRecord[]): Promise<void> {
    await this.pool();
    const rules = await this.#alerts.rulesFor(records);
    this.#alerts.emit(await retryConflicts(() => this.#insertBatch(records, rules)));
  }

  async #insertBatch(records: readonly NewUsageRecord[], rules: Parameters<PgAlerts["raise"]>[1]): Promise<StoredAlert[]> {
    return this.#transaction(async (client) => {
      // Batches take one shared lock: their trigger updates of the rollup rows would otherwise
      // cross (hourly rows by model, daily rows by user/project/caller) and deadlock each other.
      await client.query("SELECT pg_advisory_xact_lock($1, 0)", [BATCH_LOCK_CLASS]);
      // Multi-row INSERTs of up to 1,000 rows keep round trips low and stay under the 65,535-parameter cap.
      for (let i = 0; i < records.length; i += 1_000) {
        const chunk = records.slice(i, i + 1_000);
        if (chunk.some((r) => r.tags)) {
          await insertTaggedChunk(client, chunk);
          continue;
        }
        const width = USAGE_COLUMNS.length;
        const values = chunk.map((_, r) => `(${USAGE_COLUMNS.map((__, c) => `$${r * width + c + 1}`).join(", ")})`).join(", ");
        await client.query(`INSERT INTO accounting_entries (${USAGE_COLUMNS.join(", ")}) VALUES ${values}`, chunk.flatMap(usageParams));
      }
      // Once per batch, in its transaction.
      return rules.length > 0 ? this.#alerts.raise(client, rules, records, new Date()) : [];
    });
  }

  /** Alerts, newest first. */
  async listAlerts(filter?: AlertFilter): Promise<StoredAlert[]> {
    return this.#alerts.list(await this.pool(), filter);
  }

  /** Leases due pending alerts for delivery (one conditional UPDATE, SKIP LOCKED). */
  async claimAlertDeliveries(now: Date, leaseMs: number, max: number): Promise<StoredAlert[]> {
    return this.#alerts.claim(await this.pool(), now, leaseMs, max);
  }

  /** Records how a delivery attempt ended. */
  async finishAlertDelivery(id: number, outcome: AlertDeliveryOutcome): Promise<void> {
    await this.#alerts.finish(await this.pool(), id, outcome);
  }

  /** Hears the alerts this store object raises. */
  onAlertsRaised(listener: AlertListener): () => void {
    return this.#alertListeners.add(listener);
  }

  /**
   * Sets the costs one bounded transaction at a time (one statement per chunk, under the batch
   * lock and retried like batches: the rollup triggers touch the same rows), so trackers in other
   * processes wait for one chunk at most, never for the whole list.
   */
  async updateCosts(changes: readonly CostChange[], onProgress?: ProgressListener): Promise<void> {
    for (let done = 0; done < changes.length; ) {
      const chunk = changes.slice(done, done + ROWS_PER_TRANSACTION);
      await retryConflicts(() =>
        this.#transaction(async (client) => {
          await client.query("SELECT pg_advisory_xact_lock($1, 0)", [BATCH_LOCK_CLASS]);
          await client.query(
            "UPDATE accounting_entries AS e SET cost_nanos = v.cost, cost_source = v.source FROM unnest($1::int[], $2::bigint[], $3::text[]) AS v(id, cost, source) WHERE e.id = v.id",
            [chunk.map((c) => c.id), chunk.map((c) => c.costNanos.toString()), chunk.map((c) => c.costSource)],
          );
        }),
      );
      done += chunk.length;
      onProgress?.(done, changes.length);
    }
  }

  /**
   * Deletes the matching rows that exist now, lowest id first, one bounded transaction at a time;
   * rows inserted meanwhile take higher ids from the sequence and stay. The rollup triggers
   * subtract each deleted row.
   */
  async purgeUsage(options: PurgeOptions = {}): Promise<number> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (options.before !== undefined) {
      params.push(options.before);
      where.push(`timestamp < $${params.length}`);
    }
    if (options.project !== undefined) {
      params.push(options.project);
      where.push(`project = $${params.length}`);
    }
    const matching = where.length ? ` WHERE ${where.join(" AND ")}` : "";
    const bounds = await this.#query<{ last: string; count: string }>(`SELECT COALESCE(MAX(id), 0)::text AS last, COUNT(*)::text AS count FROM accounting_entries${matching}`, params);
    const lastId = Number(bounds.rows[0]!.last);
    const total = Number(bounds.rows[0]!.count);
    const chunkFilter = [...where, `id <= $${params.length + 1}`].join(" AND ");
    options.onProgress?.(0, total);
    let deleted = 0;
    for (;;) {
      const result = await retryConflicts(() =>
        this.#transaction(async (client) => {
          await client.query("SELECT pg_advisory_xact_lock($1, 0)", [BATCH_LOCK_CLASS]);
          return client.query(`DELETE FROM accounting_entries WHERE id IN (SELECT id FROM accounting_entries WHERE ${chunkFilter} ORDER BY id LIMIT $${params.length + 2})`, [...params, lastId, ROWS_PER_TRANSACTION]);
        }),
      );
      const rows = result.rowCount ?? 0;
      if (rows === 0) return deleted;
      deleted += rows;
      options.onProgress?.(deleted, Math.max(total, deleted));
    }
  }

  async sumUsage(range: TimeRange, filter: UsageRecordFilter = {}): Promise<UsageTotals> {
    if (usageFilterFields(filter).length > 0) return totalsFromRow((await this.#filtered(null, range, filter))[0]);
    const result = await this.#query<TotalsRow>(SUM_RANGE_SQL, splitParams(splitByHour(range), (d) => d));
    return totalsFromRow(result.rows[0]);
  }

  async sumUsageByModel(range: TimeRange, filter: UsageRecordFilter = {}): Promise<ModelUsageTotals[]> {
    if (usageFilterFields(filter).length > 0) return (await this.sumUsageBy(range, "model", filter)).map(({ key, ...totals }) => ({ model: String(key), ...totals }));
    const result = await this.#query<TotalsRow>(SUM_BY_MODEL_SQL, splitParams(splitByHour(range), (d) => d));
    return result.rows.map((row) => ({ model: String(row.model), ...totalsFromRow(row) }));
  }

  async sumUsageBy(range: TimeRange, dimension: UsageDimension, filter: UsageRecordFilter = {}): Promise<GroupUsageTotals[]> {
    if (usageFilterFields(filter).length === 0 && ROLLED_UP_DIMENSIONS.has(dimension)) {
      const rows = (await this.#query<TotalsRow>(dailyDimsSumSql(PG_DIALECT, dimension), splitParams(splitByDay(range), (d) => d))).rows;
      return rows.map((row) => ({ key: dailyDimsKey(row), ...totalsFromRow(row) }));
    }
    return (await this.#filtered(dimension, range, filter)).map((row) => ({ key: row.key === null ? null : String(row.key), ...totalsFromRow(row) }));
  }

  /** Sums per value of a tag key (records without it last, as null), straight from the entries. */
  /** Sums per value of a tag key (records without it last, as null): from usage_tag_hourly when the filter allows. */
  async sumUsageByTag(range: TimeRange, key: string, filter: TagBreakdownFilter = {}): Promise<GroupUsageTotals[]> {
    return this.#tagSums.byTag(range, key, filter);
  }

  /** Sums narrowed by tags, per value of a column (null: one group). */
  async sumTaggedUsage(range: TimeRange, dimension: UsageDimension | null, filter: TagBreakdownFilter): Promise<GroupUsageTotals[]> {
    return this.#tagSums.tagged(range, dimension, filter);
  }

  readonly #tagSums = new TagSums({
    dialect: PG_TAG_DIALECT,
    run: async ({ sql, params }) => (await this.#query<TotalsRow>(sql, params)).rows,
    totalRow: async (range) => (await this.#query<TotalsRow>(SUM_RANGE_SQL, splitParams(splitByHour(range), (d) => d))).rows[0]!,
    byTagFromEntries: async (range, key, filter) => {
      const rows = (await this.#query<TotalsRow>(tagSumSql(PG_FILTERED, filter), [range.start, range.end, key, ...tagFilterParams(filter)])).rows;
      return rows.map((row) => ({ key: row.key === null ? null : String(row.key), ...totalsFromRow(row) }));
    },
  });

  async #filtered(dimension: UsageDimension | null, range: TimeRange, filter: UsageRecordFilter): Promise<TotalsRow[]> {
    const sql = filteredSumSql(PG_FILTERED, dimension, filter);
    return (await this.#query<TotalsRow>(sql, [range.start, range.end, ...filterParams(filter)])).rows;
  }

  async importCursor(key: string): Promise<number> {
    const result = await this.#query<{ value: bigint }>("SELECT value FROM store_counters WHERE key = $1", [key]);
    return Number(result.rows[0]?.value ?? 0);
  }

  async importRows(batch: ImportBatch, cursor: ImportCursor): Promise<void> {
    return this.#transaction(async (client) => {
      if (batch.kind === "usage") {
        for (const row of batch.rows) await client.query(INSERT_SQL, insertParams(row));
      } else if (batch.kind === "audit") {
        for (const e of batch.rows) {
          await client.query(
            "INSERT INTO audit_log_entries (timestamp, app_name, user_name, model, prompt_text, response_text, remote_completion_id, project, log_type, session) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            [e.timestamp, e.appName, e.userName, e.model, e.promptText, e.responseText, e.remoteCompletionId, e.project, e.logType, e.session],
          );
        }
      } else {
        for (const r of batch.rows) await client.query("INSERT INTO quota_rejections (created_at, session, rejection_message) VALUES ($1, $2, $3)", [r.createdAt, r.session, r.message]);
      }
      await client.query("INSERT INTO store_counters (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", [cursor.key, cursor.value]);
    });
  }

  async agentLogFiles(source: string): Promise<AgentLogFile[]> {
    return pgAgentLogFiles((sql, params) => this.#query(sql, params), source);
  }

  /** Under the lock batches take (their rollup-trigger updates would otherwise deadlock with these), retried like batches. */
  async importAgentCalls(calls: readonly AgentCall[], file: AgentLogFile): Promise<AgentImportCounts> {
    return retryConflicts(() =>
      this.#transaction(async (client) => {
        await client.query("SELECT pg_advisory_xact_lock($1, 0)", [BATCH_LOCK_CLASS]);
        return pgImportAgentCalls(client, usageParams, calls, file);
      }),
    );
  }

  async registryVersion(): Promise<number> {
    const result = await this.#query<{ value: bigint }>("SELECT value FROM store_counters WHERE key = 'registry_version'", []);
    return Number(result.rows[0]?.value ?? 0);
  }

  /** The `entries_mutations` counter the update/delete trigger of `accounting_entries` bumps. */
  async usageMutations(): Promise<number> {
    const result = await this.#query<{ value: bigint }>("SELECT value FROM store_counters WHERE key = 'entries_mutations'", []);
    return Number(result.rows[0]?.value ?? 0);
  }

  async limitsVersion(): Promise<number> {
    const result = await this.#query<{ value: bigint }>("SELECT value FROM store_counters WHERE key = 'limits_version'", []);
    this.#limitsVersionSeen = Number(result.rows[0]?.value ?? 0);
    return this.#limitsVersionSeen;
  }

  async limitsWithVersion(): Promise<{ limits: UsageLimit[]; version: number }> {
    // One statement, so one snapshot: the version is the one these limits were read at. The
    // single-row side keeps the version when there is no limit.
    const { sql } = listLimitsSql({}, (n) => `$${n}`);
    const rows = (await this.#query<Record<string, unknown>>(`SELECT v.value AS limits_version, l.* FROM (SELECT (SELECT value FROM store_counters WHERE key = 'limits_version') AS value) v LEFT JOIN (${sql}) l ON true ORDER BY l.id`, [])).rows;
    this.#limitsVersionSeen = Number(rows[0]?.limits_version ?? 0);
    return { limits: rows.filter((r) => r.id !== null).map((r) => limitFromSqlRow(r, (value) => value as Date)), version: this.#limitsVersionSeen };
  }

  /** Limits matching the filter, oldest first: one plain query (a check must not wait for the Prisma client to load). */
  override async listLimits(filter: LimitFilter = {}): Promise<UsageLimit[]> {
    const { sql, params } = listLimitsSql(filter, (n) => `$${n}`);
    return (await this.#query<Record<string, unknown>>(sql, params)).rows.map((r) => limitFromSqlRow(r, (value) => value as Date));
  }

  /** Stores a limit and registers its usage filter, back-filling the filter's quota buckets now so no check waits for it. */
  async insertLimit(limit: NewUsageLimit): Promise<UsageLimit> {
    const stored = await super.insertLimit(limit);
    await this.#quotaBuckets.registerFilter(await this.pool(), usageFilterFor(stored));
    this.#alerts.invalidate();
    return stored;
  }

  override async deleteLimit(id: number): Promise<boolean> {
    const deleted = await super.deleteLimit(id);
    this.#alerts.invalidate();
    return deleted;
  }

  async sumQuotaUsage(queries: readonly UsageQuery[], now: Date): Promise<QuotaUsage[]> {
    if (queries.length === 0) return [];
    const pool = await this.pool();
    const ids = await this.#quotaBuckets.filterIds(pool, queries, { pool });
    return this.#quotaBuckets.sums(pool, queries, ids, now);
  }

  async sumQuotaUsageVersioned(queries: readonly UsageQuery[], now: Date): Promise<{ usage: QuotaUsage[]; limitsVersion: number }> {
    const pool = await this.pool();
    const ids = await this.#quotaBuckets.filterIds(pool, queries, { pool });
    const sums = await this.#quotaBuckets.sumsWithLimitsVersion(pool, queries, ids, now);
    this.#limitsVersionSeen = sums.limitsVersion;
    return sums;
  }

  async guardedWrite<T>(lockKeys: readonly number[], clock: () => Date, build: (now: Date, limitsVersion: number) => GuardedStep<T>): Promise<GuardedOutcome<T>> {
    // A retry re-reads the clock and the sums: the decision is always taken on what it writes after.
    const { outcome, raised } = await retryConflicts(() => this.#guardedWrite(lockKeys, clock, build));
    this.#alerts.emit(raised);
    return outcome;
  }

  async #guardedWrite<T>(lockKeys: readonly number[], clock: () => Date, build: (now: Date, limitsVersion: number) => GuardedStep<T>): Promise<{ outcome: GuardedOutcome<T>; raised: StoredAlert[] }> {
    const pool = await this.pool();
    // Transaction-scoped advisory locks on the limits involved, in one order everywhere so two
    // writers never wait on each other in a cycle. Requests sharing no limit do not block. The
    // keys are integers written into the text (sorted in a subquery, so taken in order).
    const keys = [...new Set(lockKeys)].filter((k) => Number.isSafeInteger(k)).sort((a, b) => a - b);
    const locks = keys.length > 0 ? `SELECT count(pg_advisory_xact_lock(${LIMIT_LOCK_CLASS}, k)) FROM (SELECT unnest(ARRAY[${keys.join(",")}]::int[]) AS k ORDER BY 1) AS keys; ` : "";
    return this.#withConnection(async (client, tx) => {
      // The lock is held from its grant to the commit, and every writer of these limits waits
      // that long: so the step is built before, with the limits version last seen, and BEGIN, the
      // locks, the version and the sums go in one round trip; the write and COMMIT in a second.
      // The version is read after the locks are held: if it moved, the step is built again.
      let now = clock();
      let step = this.#limitsVersionSeen === undefined || !this.#batched ? null : tryBuild(build, now, this.#limitsVersionSeen);
      const ids = step && this.#quotaBuckets.knownFilterIds(step.queries);
      const sums = step && ids && step.queries.length > 0 ? this.#quotaBuckets.sumsStatement(step.queries, ids, now) : null;
      const execute = sums ? `; ${await executeText(client, sums.sql, sums.params)}` : "";
      tx.open = true;
      const begun = (await client.query(`BEGIN; SET LOCAL synchronous_commit = off; ${locks}SELECT value FROM store_counters WHERE key = 'limits_version'${execute}`)) as unknown as pg.QueryResult[];
      const version = Number((begun[begun.length - (execute ? 2 : 1)] as pg.QueryResult<{ value: bigint }>).rows[0]?.value ?? 0);
      const guessed = this.#limitsVersionSeen;
      this.#limitsVersionSeen = version;
      let usage: QuotaUsage[];
      // Summing afresh may register filters (rows of their own): then even a write of nothing commits durably.
      let registered = false;
      if (step && ids && version === guessed) {
        usage = sums ? await this.#quotaBuckets.completeSums(client, step.queries, ids, begun[begun.length - 1]!.rows, now) : [];
      } else {
        now = clock();
        step = build(now, version);
        registered = this.#quotaBuckets.knownFilterIds(step.queries) === null;
        const filterIds = await this.#quotaBuckets.filterIds(client, step.queries, { pool, inTransaction: client });
        usage = await this.#quotaBuckets.sums(client, step.queries, filterIds, now);
      }
      const decision = step.decide(usage);
      const { id, raised } = await this.#writeAndCommit(client, decision.write, now, registered);
      tx.open = false;
      return { outcome: { result: decision.result, id }, raised };
    });
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
      const values = [r.createdAt, r.expiresAt, r.model, r.username, r.callerName, r.project, r.session, r.inputTokens, r.completionTokens, r.costNanos.toString(), r.tags ? JSON.stringify(r.tags) : null];
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

  async commitReservation(reservationId: number, record: NewUsageRecord): Promise<number> {
    await this.pool();
    const rules = await this.#alerts.rulesFor([record]);
    const { id, raised } = await retryConflicts(() => this.#commitReservation(reservationId, record, rules));
    this.#alerts.emit(raised);
    return id;
  }

  async #commitReservation(reservationId: number, record: NewUsageRecord, rules: Parameters<PgAlerts["raise"]>[1]): Promise<{ id: number; raised: StoredAlert[] }> {
    // BEGIN and the delete in one round trip (the id is an integer written into the text).
    if (!Number.isSafeInteger(reservationId)) throw new ValidationError("reservationId", `must be an integer (got ${reservationId})`);
    const begin = `BEGIN; DELETE FROM quota_reservations WHERE id = ${reservationId}`;
    if (rules.length > 0) {
      return this.#transaction(async (client) => {
        const id = Number((await client.query<{ id: number }>(INSERT_SQL, insertParams(record))).rows[0]!.id);
        return { id, raised: await this.#alerts.raise(client, rules, [record], new Date()) };
      }, begin);
    }
    // Without alerts, the whole swap is one round trip: the reservation counts until this commits.
    return this.#withConnection(async (client, tx) => {
      tx.open = true;
      const id = await this.#insertAndCommit(client, INSERT_SQL, insertParams(record), "COMMIT", begin);
      tx.open = false;
      return { id, raised: [] };
    });
  }

  async cancelReservation(reservationId: number): Promise<boolean> {
    return ((await this.#query("DELETE FROM quota_reservations WHERE id = $1", [reservationId])).rowCount ?? 0) > 0;
  }

  async readOnlyQuery(sql: string, options?: QueryStreamOptions): Promise<QueryResult> {
    return collectQueryRows((sink, bounded) => this.streamReadOnlyQuery(sql, sink, bounded), options);
  }

  async streamReadOnlyQuery(sql: string, sink: QueryRowSink, options?: QueryStreamOptions): Promise<QueryStreamSummary> {
    await this.open();
    // A connection of its own, closed afterwards: see read-only-query.ts for what is guaranteed.
    const config = { connectionString: this.#connectionString, connectionTimeoutMillis: this.#options.connectTimeoutMs ?? 5_000, types };
    return streamReadOnlyPgQuery(config, sql, sink, options);
  }
}

function ignoreConnectionError(): void {}

// The reservation and its tags (so TAG limits count it; they go with it by ON DELETE CASCADE) in one statement.
const INSERT_RESERVATION_SQL =
  "WITH r AS (INSERT INTO quota_reservations (created_at, expires_at, model, username, caller_name, project, session, input_tokens, completion_tokens, cost_nanos) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id), " +
  "t AS (INSERT INTO quota_reservation_tags (reservation_id, key, value) SELECT r.id, t.key, t.value FROM r, jsonb_each_text($11::jsonb) AS t) SELECT id FROM r";
const INSERT_REJECTION_SQL = "INSERT INTO quota_rejections (created_at, session, rejection_message) VALUES ($1, $2, $3) RETURNING id";

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
const DURABLE_COMMIT = "COMMIT; BEGIN; SELECT pg_logical_emit_message(true, 'llm-accounting', 'durable'); COMMIT";

/** Runs statements ending in COMMIT in one round trip; the id the one statement returning rows returned. */
async function committedId(client: pg.PoolClient, text: string): Promise<number> {
  const results = (await client.query(text)) as unknown as pg.QueryResult<{ id: number }>[];
  const inserted = results.find((result) => result.rows?.length > 0);
  return Number(inserted!.rows[0]!.id);
}

/**
 * Up to 1,000 records, some tagged: their ids are drawn from the table's sequence first (a
 * multi-row INSERT ... RETURNING does not promise its rows in VALUES order), then the rows and
 * their tags go in two multi-row statements. At most 16 tags a record keeps the tag insert under
 * PostgreSQL's 65,535 parameters.
 */
async function insertTaggedChunk(client: pg.PoolClient, chunk: readonly NewUsageRecord[]): Promise<void> {
  const drawn = await client.query<{ id: number }>("SELECT nextval(pg_get_serial_sequence('accounting_entries', 'id'))::int AS id FROM generate_series(1, $1)", [chunk.length]);
  const ids = drawn.rows.map((row) => Number(row.id)).sort((a, b) => a - b);
  const columns = ["id", ...USAGE_COLUMNS];
  const width = columns.length;
  const values = chunk.map((_, r) => `(${columns.map((__, c) => `$${r * width + c + 1}`).join(", ")})`).join(", ");
  await client.query(`INSERT INTO accounting_entries (${columns.join(", ")}) VALUES ${values}`, chunk.flatMap((record, r) => [ids[r], ...usageParams(record)]));
  const tags = chunk.flatMap((record, r) => Object.entries(record.tags ?? {}).map(([key, value]) => [ids[r], key, value]));
  if (tags.length === 0) return;
  const tagValues = tags.map((_, t) => `($${t * 3 + 1}, $${t * 3 + 2}, $${t * 3 + 3})`).join(", ");
  await client.query(`INSERT INTO usage_tags (entry_id, key, value) VALUES ${tagValues}`, tags.flat());
}

/** INSERT_SQL's parameters: the row's, then its tags as JSON (null for none). */
function insertParams(r: NewUsageRecord): unknown[] {
  return [...usageParams(r), encodeTags(r.tags)];
}

function usageParams(r: NewUsageRecord): unknown[] {
  return [
    r.timestamp,
    r.model,
    r.promptTokens,
    r.completionTokens,
    r.totalTokens,
    r.localPromptTokens,
    r.localCompletionTokens,
    r.localTotalTokens,
    r.cachedTokens,
    r.reasoningTokens,
    r.costNanos.toString(),
    r.executionTime,
    // Records built by hand against the 0.2 contract lack these two; store their defaults.
    r.cacheWriteTokens ?? 0,
    r.costSource ?? null,
    r.provider ?? null,
    r.callerName,
    r.username,
    r.project,
    r.session,
  ];
}

function describePgError(error: unknown): string {
  const e = error as { code?: string; message?: string; errors?: { message: string }[] };
  if (e.code === "ECONNREFUSED") return "connection refused (is the server running and reachable?)";
  if (e.code === "ENOTFOUND") return "host not found";
  if (e.code === "3D000") return e.message ?? "database does not exist";
  if (e.errors?.length) return e.errors.map((x) => x.message).join("; ");
  return e.message ?? String(error);
}
