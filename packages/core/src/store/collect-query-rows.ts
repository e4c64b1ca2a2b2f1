import { QueryRejectedError } from "../errors.js";
import { MAX_COLLECTED_ROWS, type QueryResult, type QueryRowSink, type QueryStreamOptions, type QueryStreamSummary, type QueryValue } from "./query-result.js";

/**
 * Collects a streamed query into keyed rows, for `readOnlyQuery`: refuses a result beyond
 * `MAX_COLLECTED_ROWS` (or the caller's `maxRows`, which truncates instead) so memory stays bounded.
 */
export async function collectQueryRows(
  stream: (sink: QueryRowSink, options: QueryStreamOptions) => Promise<QueryStreamSummary>,
  options: QueryStreamOptions = {},
): Promise<QueryResult> {
  let columns: readonly string[] = [];
  const rows: Record<string, QueryValue>[] = [];
  const cap = Math.min(options.maxRows ?? Number.POSITIVE_INFINITY, MAX_COLLECTED_ROWS);
  const summary = await stream(
    {
      columns: (names) => {
        columns = names;
      },
      rows: (batch) => {
        for (const values of batch) rows.push(Object.fromEntries(columns.map((name, i) => [name, values[i] ?? null])));
      },
    },
    { ...options, maxRows: cap },
  );
  if (summary.truncated && cap < (options.maxRows ?? Number.POSITIVE_INFINITY)) {
    throw new QueryRejectedError(`query rejected: more than ${MAX_COLLECTED_ROWS} rows; stream the result (streamReadOnlyQuery) or add a LIMIT`);
  }
  return { columns, rows };
}
