import type { AlertListeners } from "@llm-accounting/core";
import { SqliteAlerts } from "./sqlite-alerts.js";
import { openSqlite, type SqliteConnection } from "./sqlite-connection.js";
import type { SqliteStoreOptions } from "./sqlite-options.js";
import type { SqliteLocation } from "./sqlite-path.js";
import { SqliteQuotaBuckets } from "./sqlite-quota-buckets.js";
import { SqliteQuotas } from "./sqlite-quotas.js";
import { SQL, sqliteDate, sqliteLimits } from "./sqlite-statements.js";
import { SqliteSums } from "./sqlite-sums.js";
import { SqliteWrites } from "./sqlite-writes.js";
import type { StatementCache } from "./statement-cache.js";
import { UsagePageReader } from "./usage-pages.js";

/** An open store: its connection, the statements prepared on it, and the jobs that use them. */
export interface OpenSqliteStore {
  readonly connection: SqliteConnection;
  readonly statements: StatementCache;
  readonly buckets: SqliteQuotaBuckets;
  readonly alerts: SqliteAlerts;
  readonly writes: SqliteWrites;
  readonly quotas: SqliteQuotas;
  readonly sums: SqliteSums;
  readonly pages: UsagePageReader;
}

/** Opens the database and builds the store's jobs on its connection; `listeners` are the store's (they outlive a reopen). */
export function openSqliteStore(location: SqliteLocation, options: SqliteStoreOptions, listeners: AlertListeners): Promise<OpenSqliteStore> {
  return openSqlite(location, options, (connection): OpenSqliteStore => {
    const { statements } = connection;
    const buckets = new SqliteQuotaBuckets(statements, !connection.readOnly);
    const alerts = new SqliteAlerts({
      statements,
      buckets,
      limitsVersion: () => statements.get(SQL.limitsVersion, "value").get() as number,
      limits: () => sqliteLimits(statements),
      date: sqliteDate,
      usageMutations: () => statements.get(SQL.usageMutations, "value").get() as number,
      listeners,
    });
    return {
      connection,
      statements,
      buckets,
      alerts,
      writes: new SqliteWrites(statements, alerts),
      quotas: new SqliteQuotas(statements, buckets, alerts),
      sums: new SqliteSums(statements),
      pages: new UsagePageReader(statements, sqliteDate),
    };
  });
}
