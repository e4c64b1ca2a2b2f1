/** A value a read-only query can return; integers beyond 2^53 come back as bigint. */
export type QueryValue = string | number | bigint | boolean | null | Date | Uint8Array;

/** Rows of a read-only query, keyed by column name, plus the column names in select order. */
export interface QueryResult {
  readonly columns: readonly string[];
  readonly rows: readonly Record<string, QueryValue>[];
}
