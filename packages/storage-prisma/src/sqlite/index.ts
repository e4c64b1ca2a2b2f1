export { SqliteStore, type SqliteStoreOptions } from "./sqlite-store.js";
export { DEFAULT_SQLITE_FILE, resolveSqlitePath, type SqliteLocation } from "./sqlite-path.js";
