// Opens the store a worker was told to use: `sqlite FILE`, `postgresql URL` or `csv DIR`.
import { CsvStore } from "@llm-accounting/storage-csv";
import { PostgresqlStore, SqliteStore } from "@llm-accounting/storage-prisma";

/** The store named on a worker's command line. */
export function openStore(backend, location) {
  if (backend === "sqlite") return new SqliteStore({ file: location });
  if (backend === "postgresql") return new PostgresqlStore({ connectionString: location, maxConnections: 2 });
  if (backend === "csv") return new CsvStore({ dir: location });
  throw new Error(`unknown backend ${backend}`);
}
