/** A value a read-only query can return; integers beyond 2^53 come back as bigint. */
export type QueryValue = string | number | bigint | boolean | null | Date | Uint8Array;

/** Rows of a read-only query, keyed by column name, plus the column names in select order. */
export interface QueryResult {
  readonly columns: readonly string[];
  readonly rows: readonly Record<string, QueryValue>[];
}

/** How long one step of a read-only query (producing the next batch of rows) may take by default: 30 s. */
export const DEFAULT_QUERY_TIMEOUT_MS = 30_000;

/** Most rows `readOnlyQuery` collects in memory; larger results must be streamed. */
export const MAX_COLLECTED_ROWS = 100_000;

/** Bounds of a streamed read-only query. */
export interface QueryStreamOptions {
  /** Deliver at most this many rows; `truncated` tells whether more existed. Unlimited when absent. */
  readonly maxRows?: number;
  /**
   * Longest the database may take to produce the next batch of rows, in ms (each batch is at most
   * 1,000 rows). Default `DEFAULT_QUERY_TIMEOUT_MS`. Bounds runaway queries, not slow readers.
   */
  readonly timeoutMs?: number;
}

/**
 * Where a streamed query delivers its result: the column names once, then the rows in batches, in
 * order. The next batch is fetched only once the promise a callback returns settles, so a slow
 * consumer holds back the database instead of filling memory.
 */
export interface QueryRowSink {
  columns(names: readonly string[]): void | Promise<void>;
  rows(batch: readonly (readonly QueryValue[])[]): void | Promise<void>;
}

/** What a streamed query delivered. */
export interface QueryStreamSummary {
  /** Rows delivered to the sink. */
  readonly rowCount: number;
  /** True when `maxRows` cut the result: the query had more rows. */
  readonly truncated: boolean;
}
