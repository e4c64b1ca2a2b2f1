import { ValidationError } from "../errors.js";
import { parseInstant } from "../instant.js";
import type { PurgeOptions } from "../store/progress.js";
import type { QueryResult, QueryRowSink, QueryStreamOptions, QueryStreamSummary } from "../store/query-result.js";
import { checkStorableText } from "../storable-text.js";
import type { FacadeState } from "./facade-state.js";

/** The longest select timeout: Node's longest timer, and PostgreSQL's largest statement_timeout. */
const MAX_QUERY_TIMEOUT_MS = 2 ** 31 - 1;

/** Deletes the usage records stored before the purge began (narrowed by `options`); returns the count. */
export async function purge(state: FacadeState, options: PurgeOptions): Promise<number> {
  if (options.before !== undefined) parseInstant(options.before, "before");
  if (options.project !== undefined) checkStorableText(options.project, "project");
  await state.open();
  return state.store.purgeUsage(options);
}

/** Runs one read-only SQL statement against the store and collects its rows (bounded). */
export async function select(state: FacadeState, sql: string, options?: QueryStreamOptions): Promise<QueryResult> {
  validateSelect(sql, options);
  await state.open();
  return state.store.readOnlyQuery(sql, options);
}

/** Runs one read-only SQL statement, streaming its rows to `sink` in bounded memory. */
export async function selectStream(state: FacadeState, sql: string, sink: QueryRowSink, options?: QueryStreamOptions): Promise<QueryStreamSummary> {
  validateSelect(sql, options);
  await state.open();
  return state.store.streamReadOnlyQuery(sql, sink, options);
}

/** Refuses an empty query and bounds that are not positive whole numbers. */
function validateSelect(sql: unknown, options: QueryStreamOptions | undefined): void {
  if (typeof sql !== "string" || sql.trim() === "") throw new ValidationError("query", "must be a non-empty SQL string");
  const { maxRows, timeoutMs } = options ?? {};
  if (maxRows !== undefined && !(Number.isSafeInteger(maxRows) && maxRows >= 0)) throw new ValidationError("maxRows", "must be a whole number of rows, 0 or more");
  if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw new ValidationError("timeoutMs", "must be a positive number of milliseconds");
  // Beyond this Node's timers fire at once and PostgreSQL refuses the statement_timeout.
  if (timeoutMs !== undefined && timeoutMs > MAX_QUERY_TIMEOUT_MS) throw new ValidationError("timeoutMs", `must be at most ${MAX_QUERY_TIMEOUT_MS} ms (about 24.8 days)`);
}
