/** Options of the SQLite store. */
export interface SqliteStoreOptions {
  /** Database file (must end with .sqlite, .sqlite3 or .db), or `:memory:`. Default `data/accounting.sqlite`. */
  readonly file?: string;
  /**
   * `normal` (default): WAL with synchronous=NORMAL — a committed record survives a crash of the
   * process, but the last commits before a power cut or OS crash may be lost.
   * `full`: synchronous=FULL — every commit is fsynced before it is acknowledged; slower.
   */
  readonly durability?: "normal" | "full";
  /** How long a writer waits for another process's lock before failing, in ms. Default 10,000. */
  readonly busyTimeoutMs?: number;
  /**
   * @deprecated Ignored: quota checks read per-minute, hour and day sums kept by the database
   * (quota_buckets), so there is no in-process index to build or turn off.
   */
  readonly quotaIndex?: boolean;
  /**
   * Write batches (`insertUsageBatch`: the buffered writer, `trackUsageBatch`) on a worker thread
   * with its own connection, so their SQLite work runs beside the application's event loop
   * (default true; an in-memory database always writes inline, and so does a store whose thread
   * cannot start, e.g. in a bundle without batch-thread.js). Single writes stay inline.
   */
  readonly writerThread?: boolean;
  /**
   * Refuse to open a file that does not exist yet instead of creating it (default false): for
   * callers that only read, where a mistyped path would otherwise show an empty, new database.
   */
  readonly mustExist?: boolean;
  /**
   * Open an existing file for reading only (default false), for callers that only read (reports,
   * `select`, the dashboard): nothing is created, migrated or written, so pointing one at another
   * application's database changes nothing in it. A missing file, a file that is not an
   * llm-accounting database and one an older version wrote (not yet migrated: open it once
   * without this option, e.g. `llm-accounting migrate`) are refused with one line; writes fail.
   */
  readonly readOnly?: boolean;
}
