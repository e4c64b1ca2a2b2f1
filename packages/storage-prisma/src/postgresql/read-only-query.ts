import pg from "pg";
import {
  DEFAULT_QUERY_TIMEOUT_MS,
  QueryRejectedError,
  StoreUnavailableError,
  type QueryRowSink,
  type QueryStreamOptions,
  type QueryStreamSummary,
  type QueryValue,
} from "@llm-accounting/core";
import { screenQueryTree } from "./query-functions.js";

const STATEMENT = "llm_accounting_select";
const CURSOR = "llm_accounting_rows";
const MAX_BATCH_ROWS = 1_000;
// A batch's rows are held in memory until the sink takes them: aim for about this many bytes.
const TARGET_BATCH_BYTES = 4 * 1024 * 1024;
// A reader that stops pulling rows (stopped terminal, stuck pipe) must not hold locks for ever.
const IDLE_TRANSACTION_LIMIT_MS = 5 * 60_000;

// Largest row (as text) a select may return. node-postgres throws outside any promise on a value
// beyond Node's string limit (about 512 MB), so the server refuses big rows before sending them.
export const MAX_ROW_BYTES = 64 * 1024 * 1024;
const ROW_TOO_LARGE = "llm_accounting_row_too_large";

/**
 * Only a query expression may run: the user's text becomes a subquery, so COPY, LOCK, SET, DO,
 * CALL, EXPLAIN, SELECT INTO and data-modifying WITH fail to parse. The newline ends a trailing
 * `--` comment; trailing semicolons are dropped since a subquery cannot hold one. The filter
 * raises an error (a failed cast naming the size) for a row larger than MAX_ROW_BYTES.
 */
export function wrapQuery(sql: string): string {
  const size = `octet_length(${STATEMENT}::text)`;
  return (
    `SELECT * FROM (\n${sql.replace(/[\s;]+$/, "")}\n) AS ${STATEMENT}` +
    ` WHERE CASE WHEN ${size} <= ${MAX_ROW_BYTES} THEN true ELSE ('${ROW_TOO_LARGE} ' || ${size})::int IS NULL END`
  );
}

/**
 * Runs one read-only query on a connection of its own and streams its rows to `sink`. Guarantees
 * (each by the server, not by reading the SQL): a READ ONLY transaction that is never committed;
 * the extended protocol, so a second statement is refused at Parse; a query expression only; only
 * built-in functions without side effects (checked on the rewritten query tree, views and all,
 * before anything is planned or run); a statement timeout per fetched batch; and a connection that
 * is closed, not pooled, afterwards, so nothing a query did to its session outlives it.
 */
export async function streamReadOnlyPgQuery(
  config: pg.ClientConfig,
  sql: string,
  sink: QueryRowSink,
  options: QueryStreamOptions = {},
): Promise<QueryStreamSummary> {
  const timeoutMs = Math.max(1, Math.round(options.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS));
  const client = new pg.Client(config);
  // A socket error after a failed query is reported by that query; it must not crash the process.
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw new StoreUnavailableError(`cannot connect for select: ${(error as Error).message}`, { cause: error });
  }
  try {
    await client.query("BEGIN READ ONLY");
    await client.query(`SET LOCAL statement_timeout = ${timeoutMs}`);
    await client.query(`SET LOCAL lock_timeout = ${timeoutMs}`);
    await client.query(`SET LOCAL idle_in_transaction_session_timeout = ${Math.max(timeoutMs, IDLE_TRANSACTION_LIMIT_MS)}`);
    const wrapped = wrapQuery(sql);
    await screenQuery(client, wrapped);
    await userStatement(client, `DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${wrapped}`, "rejected");
    return await fetchAll(client, sink, options.maxRows);
  } finally {
    // Never COMMIT and never pool: closing the session rolls back and drops whatever it held.
    await closeQuietly(client);
  }
}

/** Parses and rewrites the query (PREPARE plans nothing) with the tree printed to us, then checks its functions. */
async function screenQuery(client: pg.Client, wrapped: string): Promise<void> {
  const superuser = (await client.query<{ on: string }>("SELECT current_setting('is_superuser') AS on")).rows[0]!.on === "on";
  // The tree is a LOG message; a superuser can keep it out of the server log.
  if (superuser) await client.query("SET LOCAL log_min_messages = panic");
  await client.query("SET LOCAL debug_pretty_print = off");
  await client.query("SET LOCAL client_min_messages = log");
  const trees: string[] = [];
  const collect = (notice: { message?: string; detail?: string }) => {
    if (notice.message?.startsWith("rewritten parse tree")) trees.push(notice.detail ?? "");
  };
  client.on("notice", collect);
  try {
    await client.query("SET LOCAL debug_print_rewritten = on");
    trees.length = 0;
    await userStatement(client, `PREPARE ${STATEMENT} AS ${wrapped}`, "rejected");
  } finally {
    await client.query("SET LOCAL debug_print_rewritten = off").catch(() => undefined);
    client.off("notice", collect);
  }
  await client.query("SET LOCAL client_min_messages = notice");
  if (trees.length === 0) throw new QueryRejectedError("query rejected: the server did not show the query tree, so its functions cannot be checked");
  await screenQueryTree(client, trees.join("\n"));
}

/** Runs a statement holding user text: extended protocol (one statement only), errors as one line. */
async function userStatement(client: pg.Client, text: string, verb: "rejected" | "failed", rowMode?: "array"): Promise<pg.QueryResult> {
  try {
    return await client.query({ text, values: [], queryMode: "extended", ...(rowMode ? { rowMode } : {}) } as pg.QueryConfig);
  } catch (error) {
    throw new QueryRejectedError(`query ${verb}: ${describeQueryError(error)}`, { cause: error });
  }
}

/** Fetches the cursor in batches sized to about TARGET_BATCH_BYTES, stopping after `maxRows`. */
async function fetchAll(client: pg.Client, sink: QueryRowSink, maxRows = Number.POSITIVE_INFINITY): Promise<QueryStreamSummary> {
  let delivered = 0;
  let batchRows = 100;
  let announced = false;
  for (;;) {
    // One row beyond maxRows tells whether the result was cut.
    const want = Math.max(1, Math.min(batchRows, maxRows + 1 - delivered));
    const result = await userStatement(client, `FETCH FORWARD ${want} FROM ${CURSOR}`, "failed", "array");
    if (!announced) {
      announced = true;
      await sink.columns(result.fields.map((f) => f.name));
    }
    const rows = result.rows as QueryValue[][];
    const room = maxRows - delivered;
    const batch = rows.length > room ? rows.slice(0, room) : rows;
    if (batch.length > 0) await sink.rows(batch);
    delivered += batch.length;
    if (rows.length > room) return { rowCount: delivered, truncated: true };
    if (rows.length < want) return { rowCount: delivered, truncated: false };
    batchRows = nextBatchRows(rows);
  }
}

/** How many rows to fetch next so a batch holds about TARGET_BATCH_BYTES. */
function nextBatchRows(rows: readonly QueryValue[][]): number {
  let bytes = 0;
  for (const row of rows) for (const value of row) bytes += typeof value === "string" ? value.length : value instanceof Uint8Array ? value.length : 8;
  const perRow = Math.max(1, bytes / Math.max(1, rows.length));
  return Math.max(1, Math.min(MAX_BATCH_ROWS, Math.floor(TARGET_BATCH_BYTES / perRow)));
}

/** One line for a query error: the server's message, or the row size guard's own. */
function describeQueryError(error: unknown): string {
  const e = error as { code?: string; message?: string };
  const tooLarge = new RegExp(`${ROW_TOO_LARGE} (\\d+)`).exec(e.message ?? "");
  if (tooLarge) return `a row is too large to read (${tooLarge[1]} bytes as text; the most is ${MAX_ROW_BYTES / 1024 / 1024} MB): select a part of it, e.g. with substr()`;
  return (e.message ?? String(error)).split("\n")[0]!;
}

async function closeQuietly(client: pg.Client): Promise<void> {
  const ending = client.end().catch(() => undefined);
  // A connection left mid-message (a value too large to read) may never answer end(): drop it.
  const timer = setTimeout(() => (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy(), 2_000);
  await ending;
  clearTimeout(timer);
}
