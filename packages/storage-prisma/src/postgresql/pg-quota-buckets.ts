import type pg from "pg";
import { executeText, statementNamer } from "./simple-protocol.js";
import { inTransaction, withConnection } from "./pg-connection.js";
import type { QuotaUsage, UsageFilter, UsageQuery } from "@llm-accounting/core";
import { backfillSql, bucketFollowUps, bucketSumsSql, followUpsWithoutQueries, filterColumns, filterKey, foldBucketRows, LIMITS_VERSION_ROW, LIMITS_VERSION_SQL, type BucketSqlDialect } from "../shared/quota-buckets.js";
import { runAsync, type QuotaSqlStatement } from "../shared/quota-sql.js";
import { insertTagFilterSql, isTagFilter, tagBackfillSql, tagBucketId, tagFilterParams } from "../shared/tag-quota-filters.js";

const TYPES = { int: "int", bigint: "bigint", text: "text", time: "timestamptz" } as const;

/** The bucketed statements' PostgreSQL details: numbered, typed placeholders. */
export const PG_BUCKET_DIALECT: BucketSqlDialect = {
  param: (n) => `$${n}`,
  integer: (expression) => `(${expression})::bigint`,
  time: (date) => date,
  readTime: (value) => (value instanceof Date ? value : null),
  amount: (value) => value.toString(),
  typed: (placeholder, type) => `${placeholder}::${TYPES[type]}`,
  nullTime: "NULL::timestamptz",
  hotBuckets: null,
};

const bucketOf = (column: string, span: string) => `(floor(extract(epoch FROM ${column}) / ${span}) * ${span})::bigint`;

// Protocol-level statement names (the path without SQL PREPARE, for poolers).
const statementName = statementNamer("llm_acct_quota_");

/** Every registered filter's id (TAG limits' under the negated id), as `filterIds` reads some; up to a bound no real set of limits reaches. */
export const ALL_FILTER_IDS_SQL = "SELECT id, key FROM quota_filters UNION ALL SELECT -id, key FROM quota_tag_filters LIMIT 100000";

/** Something that runs a statement: the pool, or the client of an open transaction. */
type Queryable = Pick<pg.Pool | pg.PoolClient, "query">;

/**
 * Quota sums from `quota_buckets` on PostgreSQL: filter ids (cached: filters are never deleted),
 * their registration with back-filled buckets, and the sums in one round trip.
 */
export class PgQuotaBuckets {
  readonly #ids = new Map<string, number>();
  readonly #writable: boolean;
  readonly #batched: boolean;

  /** `batched`: statements may be prepared with SQL PREPARE and run among others (see simple-protocol.ts). */
  constructor(writable: boolean, batched = true) {
    this.#writable = writable;
    this.#batched = batched;
  }

  /**
   * The filter id of each query; filters not registered yet are registered when the store is
   * writable: inside `inTransaction` when given (a guarded write), else in a transaction of
   * their own on a client from `pool`. Null: no buckets (its rows are then summed directly).
   */
  async filterIds(db: Queryable, queries: readonly UsageQuery[], register: { pool: pg.Pool; inTransaction?: pg.PoolClient }): Promise<(number | null)[]> {
    const missing = new Map<string, UsageFilter>();
    for (const query of queries) {
      const key = filterKey(query.filter);
      if (!this.#ids.has(key)) missing.set(key, query.filter);
    }
    if (missing.size > 0) {
      // TAG limits' filters live in quota_tag_filters, their buckets under the negated id.
      const found = await db.query<{ id: number; key: string }>(
        "SELECT id, key FROM quota_filters WHERE key = ANY($1::text[]) UNION ALL SELECT -id, key FROM quota_tag_filters WHERE key = ANY($1::text[])",
        [[...missing.keys()]],
      );
      for (const row of found.rows) {
        this.#ids.set(row.key, Number(row.id));
        missing.delete(row.key);
      }
      if (this.#writable) {
        for (const [key, filter] of missing) {
          const id = register.inTransaction ? await this.#register(register.inTransaction, key, filter) : await this.#registerAlone(register.pool, key, filter);
          this.#ids.set(key, id);
        }
      }
    }
    return queries.map((query) => this.#ids.get(filterKey(query.filter)) ?? null);
  }

  /** Registers one filter (back-filling its buckets) in a transaction of its own. */
  async registerFilter(pool: pg.Pool, filter: UsageFilter): Promise<void> {
    const key = filterKey(filter);
    if (this.#writable && !this.#ids.has(key)) await this.filterIds(pool, [{ filter, start: new Date(0), end: new Date(0) }], { pool });
  }

  async #registerAlone(pool: pg.Pool, key: string, filter: UsageFilter): Promise<number> {
    return inTransaction(pool, (client) => this.#register(client, key, filter));
  }

  async #register(client: pg.PoolClient, key: string, filter: UsageFilter): Promise<number> {
    // SHARE mode waits for every write in flight and holds new ones until commit: the back-fill
    // sees every committed row, and rows written after it are counted by the triggers, which
    // then see the new filter. No row is counted twice or missed.
    await client.query("LOCK TABLE accounting_entries IN SHARE MODE");
    if (isTagFilter(filter)) return this.#registerTagFilter(client, key, filter);
    const c = filterColumns(filter);
    const inserted = await client.query<{ id: number }>(
      "INSERT INTO quota_filters (key, model, username, caller_name, project_mode, project) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (key) DO NOTHING RETURNING id",
      [key, c.model, c.username, c.callerName, c.projectMode, c.project],
    );
    const id = inserted.rows[0]?.id;
    // Another process registered it first (and back-filled it): use its row.
    if (id === undefined) return Number((await client.query<{ id: number }>("SELECT id FROM quota_filters WHERE key = $1", [key])).rows[0]!.id);
    for (const statement of backfillSql(PG_BUCKET_DIALECT, Number(id), bucketOf)) await client.query(statement.sql, statement.params);
    return Number(id);
  }

  /** Registers a TAG limit's filter under the lock `#register` took: tags are written with their rows, so it covers them too. */
  async #registerTagFilter(client: pg.PoolClient, key: string, filter: UsageFilter): Promise<number> {
    const inserted = await client.query<{ id: number }>(insertTagFilterSql(PG_BUCKET_DIALECT, true), tagFilterParams(key, filter));
    const id = inserted.rows[0]?.id;
    if (id === undefined) return tagBucketId(Number((await client.query<{ id: number }>("SELECT id FROM quota_tag_filters WHERE key = $1", [key])).rows[0]!.id));
    for (const statement of tagBackfillSql(PG_BUCKET_DIALECT, Number(id), bucketOf)) await client.query(statement.sql, statement.params);
    return tagBucketId(Number(id));
  }

  /** Remembers the rows of `ALL_FILTER_IDS_SQL`, read elsewhere (filters are never deleted, so an id never goes stale). */
  remember(rows: readonly { id: number; key: string }[]): void {
    for (const row of rows) this.#ids.set(row.key, Number(row.id));
  }

  /** Prepares a check's sums statement on this connection and runs it once on nothing, so its tables' descriptions are loaded. */
  async prepareSums(db: Queryable, now: Date): Promise<void> {
    // One query of nothing (the rows at the epoch's first instant): the text is the same whatever the queries.
    const { sql, params } = bucketSumsSql(PG_BUCKET_DIALECT, [{ filter: {}, start: new Date(0), end: new Date(0) }], [null], now, true);
    await this.#run(db, sql, params);
  }

  /** The filter id of each query when every one is known to this process already (no round trip); else null. */
  knownFilterIds(queries: readonly UsageQuery[]): number[] | null {
    const ids: number[] = [];
    for (const query of queries) {
      const id = this.#ids.get(filterKey(query.filter));
      if (id === undefined) return null;
      ids.push(id);
    }
    return ids;
  }

  /** Sums every query from buckets, edge rows and open reservations, then works out `oldest` and release times where asked. */
  async sums(db: Queryable, queries: readonly UsageQuery[], filterIds: readonly (number | null)[], now: Date): Promise<QuotaUsage[]> {
    if (queries.length === 0) return [];
    const { sql, params } = bucketSumsSql(PG_BUCKET_DIALECT, queries, filterIds, now);
    return this.completeSums(db, queries, filterIds, await this.#run(db, sql, params), now);
  }

  /** The sums and the limits version of one snapshot, in one round trip. */
  async sumsWithLimitsVersion(db: Queryable, queries: readonly UsageQuery[], filterIds: readonly (number | null)[], now: Date): Promise<{ usage: QuotaUsage[]; limitsVersion: number }> {
    if (queries.length === 0) {
      const version = await db.query<{ value: bigint }>(LIMITS_VERSION_SQL);
      return { usage: [], limitsVersion: Number(version.rows[0]?.value ?? 0) };
    }
    const { sql, params } = bucketSumsSql(PG_BUCKET_DIALECT, queries, filterIds, now, true);
    const rows = await this.#run(db, sql, params);
    const version = rows.find((row) => Number(row.q) === LIMITS_VERSION_ROW);
    return { usage: await this.completeSums(db, queries, filterIds, rows, now), limitsVersion: Number(version?.requests ?? 0) };
  }

  /** The one statement of `sums`, for callers that send it among others (see simple-protocol.ts). */
  sumsStatement(queries: readonly UsageQuery[], filterIds: readonly (number | null)[], now: Date): QuotaSqlStatement {
    return bucketSumsSql(PG_BUCKET_DIALECT, queries, filterIds, now);
  }

  /** Folds the rows of the sums statement and runs the follow-ups they call for (the denial path, `oldest`). */
  async completeSums(db: Queryable, queries: readonly UsageQuery[], filterIds: readonly (number | null)[], rows: readonly Record<string, unknown>[], now: Date): Promise<QuotaUsage[]> {
    const usage = foldBucketRows(PG_BUCKET_DIALECT, queries.length, rows);
    return followUpsWithoutQueries(queries, usage) ?? runAsync(bucketFollowUps(PG_BUCKET_DIALECT, queries, filterIds, usage, now), async (statement) => (await db.query<Record<string, unknown>>(statement.sql, statement.params)).rows);
  }

  async #run(db: Queryable, sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
    // A named statement is parsed once per connection and shape, not on every check.
    if (!this.#batched) return (await db.query<Record<string, unknown>>({ name: statementName(sql), text: sql, values: params })).rows;
    // And planned once: left to itself, the server plans every execution of it afresh (its custom
    // plans look cheaper than the generic one, which has the same shape), and planning took
    // longer than running it (0.65 ms of a check at 1M rows). SET LOCAL lasts for the implicit
    // transaction of one simple-protocol message, or to the end of an open transaction.
    const run = async (client: pg.PoolClient) => lastRows(await client.query(`${GENERIC_PLAN}; ${await executeText(client, sql, params)}`));
    return isPoolClient(db) ? run(db) : withConnection(db as pg.Pool, run);
  }
}

/** For the quota statements, planned once per connection (see `#run`). */
export const GENERIC_PLAN = "SET LOCAL plan_cache_mode = force_generic_plan";

/** Whether `db` is a checked-out client (a transaction's) rather than the pool. */
const isPoolClient = (db: Queryable): db is pg.PoolClient => typeof (db as Partial<pg.PoolClient>).release === "function";

/** The rows of the last statement of a simple-protocol message. */
function lastRows(results: unknown): Record<string, unknown>[] {
  const all = results as pg.QueryResult<Record<string, unknown>>[];
  return all[all.length - 1]!.rows;
}
