import pg from "pg";
import { StoreUnavailableError, ValidationError } from "@llm-accounting/core";
import { postgresqlMigrations } from "../generated/migrations.js";
import { migratePostgresqlOn } from "../migrate/postgresql-migrator.js";
import { postgresqlSchemaState } from "../migrate/postgresql-schema-check.js";
import { schemaRefusal } from "../migrate/schema-state.js";
import { listLimitsSql } from "../shared/limit-row.js";
import { redactConnectionString } from "./connection-string.js";
import { ALL_FILTER_IDS_SQL, type PgQuotaBuckets } from "./pg-quota-buckets.js";
import { LIMITS_VERSION_SQL } from "../shared/quota-buckets.js";

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
   * prepared once per connection (`PREPARE`): one round trip instead of five (default true). Set
   * false behind a pooler in transaction mode (PgBouncer), which cannot keep SQL-level prepared
   * statements across transactions.
   */
  readonly batchRoundTrips?: boolean;
}

// int8 (COUNT, SUM::bigint, cost_nanos) arrives as text by default; read it as BigInt so money stays exact.
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20 ? (value: string) => BigInt(value) : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
};

/** The pg client configuration of a store's connections (readers' included). */
export function pgClientTypes(): typeof types {
  return types;
}

// Every limit with the version they were read at, in one snapshot (the single-row side keeps the version when there is no limit).
export const LIMITS_WITH_VERSION_SQL = `SELECT v.value AS limits_version, l.* FROM (SELECT (${LIMITS_VERSION_SQL}) AS value) v LEFT JOIN (${listLimitsSql({}, (n) => `$${n}`).sql}) l ON true ORDER BY l.id`;

/**
 * Opens the pool of a store: its first connection checks (read-only) or migrates the schema, then
 * warms up for the first call, which it then serves; opening connects once. Errors come out as
 * one line: ValidationError for a database that is not ours, else StoreUnavailableError.
 */
export async function openPgPool(connectionString: string, options: PostgresqlStoreOptions, buckets: PgQuotaBuckets): Promise<pg.Pool> {
  const readOnly = options.readOnly === true;
  const pool = new pg.Pool({
    connectionString,
    // JIT off: our statements take a millisecond, and a quota check's estimated cost can pass
    // jit_above_cost, when compiling it took 30 ms (seen at 1M rows). Read-only: the server
    // itself then refuses every write on these connections, whatever runs on them.
    options: readOnly ? "-c jit=off -c default_transaction_read_only=on" : "-c jit=off",
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    types,
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on("error", () => undefined);
  try {
    const client = await pool.connect();
    try {
      if (readOnly) await refuseUnlessCurrent(client, connectionString);
      else await migratePostgresqlOn(client, undefined, postgresqlMigrations);
      await warmUp(client, buckets);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    if (error instanceof ValidationError || error instanceof StoreUnavailableError) throw error;
    throw new StoreUnavailableError(`cannot open PostgreSQL ${redactConnectionString(connectionString)}: ${describePgError(error)}`, { cause: error });
  }
  return pool;
}

/**
 * Reads what a quota check reads, on the connection that serves the first call: a new server
 * backend loads each table's and index's description on first use (about 20 ms for a check's
 * statements), which a restarted service would otherwise pay on its first request. The filter
 * ids come back with it, so the first check needs no lookup. Constant cost, whatever the rows.
 */
async function warmUp(client: pg.PoolClient, buckets: PgQuotaBuckets): Promise<void> {
  const filters = (await client.query(`${LIMITS_WITH_VERSION_SQL}; ${ALL_FILTER_IDS_SQL}`)) as unknown as pg.QueryResult<{ id: number; key: string }>[];
  buckets.remember(filters[1]!.rows);
  await buckets.prepareSums(client, new Date());
}

/** Read-only opening: refuses another application's database, or ours before this version's migrations. */
async function refuseUnlessCurrent(client: pg.ClientBase, connectionString: string): Promise<void> {
  const refusal = schemaRefusal(await postgresqlSchemaState(client, postgresqlMigrations), redactConnectionString(connectionString));
  if (refusal?.foreign) throw new ValidationError("postgresqlConnectionString", refusal.message);
  if (refusal) throw new StoreUnavailableError(refusal.message);
}

function describePgError(error: unknown): string {
  const e = error as { code?: string; message?: string; errors?: { message: string }[] };
  if (e.code === "ECONNREFUSED") return "connection refused (is the server running and reachable?)";
  if (e.code === "ENOTFOUND") return "host not found";
  if (e.code === "3D000") return e.message ?? "database does not exist";
  if (e.errors?.length) return e.errors.map((x) => x.message).join("; ");
  return e.message ?? String(error);
}
