export { PostgresqlStore, type PostgresqlStoreOptions } from "./postgresql-store.js";
export { POSTGRESQL_ENV, redactConnectionString, resolveConnectionString } from "./connection-string.js";
