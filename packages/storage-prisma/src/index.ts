export { SqliteStore, type SqliteStoreOptions } from "./sqlite/sqlite-store.js";
export { DEFAULT_SQLITE_FILE, resolveSqlitePath, type SqliteLocation } from "./sqlite/sqlite-path.js";
export { PostgresqlStore, type PostgresqlStoreOptions } from "./postgresql/postgresql-store.js";
export { POSTGRESQL_ENV, redactConnectionString, resolveConnectionString } from "./postgresql/connection-string.js";
export { importPythonDatabase, type ImportProgress, type ImportSummary } from "./import/import-python.js";
export { openPostgresqlSource, openSqliteSource, type PythonSource } from "./import/python-source.js";
