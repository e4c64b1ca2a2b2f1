import type Database from "better-sqlite3";
import { usageFilterMatches, type QuotaUsage, type UsageFilter, type UsageQuery } from "@llm-accounting/core";

interface ReservationRow {
  created_at: string;
  model: string;
  username: string | null;
  caller_name: string | null;
  project: string | null;
  input_tokens: bigint;
  completion_tokens: bigint;
  cost_nanos: bigint;
  /** JSON object of the reservation's tags ('{}' when none). */
  tags: string;
}
import { backfillSql, bucketFollowUps, filterColumns, filterKey, followUpsWithoutQueries } from "../shared/quota-buckets.js";
import { runSync } from "../shared/quota-sql.js";
import { QuotaPartCache } from "./quota-part-cache.js";
import { insertTagFilterSql, isTagFilter, tagBackfillSql, tagBucketId, tagFilterParams } from "../shared/tag-quota-filters.js";
import { sqliteTime } from "./batch-encoding.js";
import { bucketOf, SQLITE_BUCKET_DIALECT } from "./bucket-sql.js";
import type { StatementCache } from "./statement-cache.js";


const FIND_FILTER = "SELECT id FROM quota_filters WHERE key = ?";
const FIND_TAG_FILTER = "SELECT -id FROM quota_tag_filters WHERE key = ?";
const OPEN_RESERVATIONS =
  "SELECT r.created_at, r.model, r.username, r.caller_name, r.project, r.input_tokens, r.completion_tokens, r.cost_nanos, " +
  "(SELECT json_group_object(t.key, t.value) FROM quota_reservation_tags t WHERE t.reservation_id = r.id) AS tags FROM quota_reservations r WHERE r.expires_at > ?";

/**
 * Quota sums from `quota_buckets` on one SQLite connection: filter ids (cached: filters are never
 * deleted), their registration with back-filled buckets, and the sums themselves. Statements come
 * from the store's cache, one per shape (the number of queries fixes it).
 */
export class SqliteQuotaBuckets {
  readonly #statements: StatementCache;
  readonly #writable: boolean;
  readonly #ids = new Map<string, number>();
  // Plans reuse one filter object per limit: looking it up skips building its key.
  readonly #idsByFilter = new WeakMap<UsageFilter, number>();
  readonly #cache: QuotaPartCache;

  constructor(statements: StatementCache, writable: boolean) {
    this.#statements = statements;
    this.#writable = writable;
    this.#cache = new QuotaPartCache(statements);
  }

  #find(filter: UsageFilter): Database.Statement {
    return this.#statements.get(isTagFilter(filter) ? FIND_TAG_FILTER : FIND_FILTER, "value");
  }

  /**
   * The filter id of each query, registering (and back-filling) filters not seen yet when the
   * store is writable; null for a filter without buckets (its rows are then summed directly).
   * Registration writes: call inside a write transaction, or this opens one.
   */
  filterIds(queries: readonly UsageQuery[]): (number | null)[] {
    return queries.map((query) => this.filterId(query.filter));
  }

  /** The id of one filter (registered on first use when writable), or null. */
  filterId(filter: UsageFilter): number | null {
    const same = this.#idsByFilter.get(filter);
    if (same !== undefined) return same;
    const key = filterKey(filter);
    const known = this.#ids.get(key);
    if (known !== undefined) {
      this.#idsByFilter.set(filter, known);
      return known;
    }
    let id = (this.#find(filter).get(key) as number | undefined) ?? null;
    if (id === null && this.#writable) id = this.#register(key, filter);
    if (id !== null) {
      this.#ids.set(key, id);
      this.#idsByFilter.set(filter, id);
    }
    return id;
  }

  #register(key: string, filter: UsageFilter): number {
    // IMMEDIATE (or a savepoint inside the caller's write transaction): the back-fill and the
    // filter row commit together, and no row can be written in between without being counted.
    const statements = this.#statements;
    const register = statements.db.transaction(() => {
      const existing = this.#find(filter).get(key) as number | undefined;
      if (existing !== undefined) return existing;
      if (isTagFilter(filter)) {
        const tagId = Number((statements.get(insertTagFilterSql(SQLITE_BUCKET_DIALECT, false)).get(...tagFilterParams(key, filter)) as { id: number }).id);
        for (const statement of tagBackfillSql(SQLITE_BUCKET_DIALECT, tagId, bucketOf)) statements.get(statement.sql).run(statement.params);
        return tagBucketId(tagId);
      }
      const c = filterColumns(filter);
      const id = Number(
        statements
          .get("INSERT INTO quota_filters (key, model, username, caller_name, project_mode, project) VALUES (?, ?, ?, ?, ?, ?)")
          .run(key, c.model, c.username, c.callerName, c.projectMode, c.project).lastInsertRowid,
      );
      for (const statement of backfillSql(SQLITE_BUCKET_DIALECT, id, bucketOf)) statements.get(statement.sql).run(statement.params);
      return id;
    });
    return statements.db.inTransaction ? register() : register.immediate();
  }

  /**
   * Sums every query: its rows from the part cache (whole buckets and edge rows, kept in step
   * with the database) plus the reservations open at `now`; call inside a transaction for one
   * snapshot.
   */
  sums(queries: readonly UsageQuery[], filterIds: readonly (number | null)[], now: Date): QuotaUsage[] {
    if (queries.length === 0) return [];
    const rows = this.#cache.sums(queries, filterIds);
    const held = (this.#statements.get(OPEN_RESERVATIONS, "exact").all(sqliteTime(now)) as ReservationRow[]).map((r) => ({ ...r, columns: { model: r.model, username: r.username, callerName: r.caller_name, project: r.project, tags: r.tags === "{}" ? null : (JSON.parse(r.tags) as Record<string, string>) } }));
    const usage = queries.map((query, i): QuotaUsage => {
      const sums = { ...rows[i]!, oldest: null as Date | null };
      const start = query.start.getTime();
      const end = query.end.getTime();
      for (const r of held) {
        const at = Date.parse(r.created_at);
        if (at < start || at > end || !usageFilterMatches(query.filter, r.columns)) continue;
        sums.requests += 1;
        sums.inputTokens += Number(r.input_tokens);
        sums.outputTokens += Number(r.completion_tokens);
        sums.totalTokens += Number(r.input_tokens) + Number(r.completion_tokens);
        sums.costNanos += BigInt(r.cost_nanos);
        if (sums.oldest === null || at < sums.oldest.getTime()) sums.oldest = new Date(at);
      }
      return sums;
    });
    return followUpsWithoutQueries(queries, usage) ?? runSync(bucketFollowUps(SQLITE_BUCKET_DIALECT, queries, filterIds, usage, now), (statement) => this.#statements.get(statement.sql, "exact").all(statement.params) as Record<string, unknown>[]);
  }
}
