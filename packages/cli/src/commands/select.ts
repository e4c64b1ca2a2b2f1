import { DEFAULT_QUERY_TIMEOUT_MS, type Accounting, type QueryStreamSummary, type QueryValue } from "@llm-accounting/core";
import type { Argv, CommandModule } from "yargs";
import type { GlobalArgs } from "../context/global-options.js";
import { formatOption } from "../context/format-option.js";
import { UsageError } from "../errors.js";
import { csvLine } from "../format/csv.js";
import { cellText, rowCsv, rowJsonElement, rowNdjson } from "../format/query-rows.js";
import { writeOut } from "../format/stream-output.js";
import { positiveInteger, positiveSeconds } from "../context/parse-values.js";
import { renderTable } from "../format/table.js";
import { println, type CliIo } from "../io.js";
import { runHandler, withAccounting, type CommandContext } from "./command-context.js";

/** Parsed `select` arguments. */
export interface SelectArgs extends GlobalArgs {
  query?: string;
  project?: string;
  format: "table" | "csv" | "json" | "ndjson";
  /** Most rows to print; a table shows TABLE_ROW_LIMIT when absent. */
  limit?: number;
  /** Seconds the database may take to produce each batch of rows. */
  timeout?: number;
}

/** The SQL `select` runs: `--query` as given, else all entries, optionally of one project. */
export function selectSql(args: Pick<SelectArgs, "query" | "project">, warn: (text: string) => void): string {
  if (args.query !== undefined) {
    if (args.project !== undefined) warn("Warning: --project argument is ignored when --query is specified.");
    return args.query;
  }
  if (args.project === undefined) return "SELECT * FROM accounting_entries;";
  if (args.project.toUpperCase() === "NULL") return "SELECT * FROM accounting_entries WHERE project IS NULL;";
  if (!/^[\w\-.]+$/.test(args.project)) {
    throw new UsageError(`--project "${args.project}" is not a valid project name: use letters, digits, _, - and . only`);
  }
  return `SELECT * FROM accounting_entries WHERE project = '${args.project}';`;
}

/** Rows a table shows when `--limit` is not given: a table is measured before it is printed. */
export const TABLE_ROW_LIMIT = 1000;
/** Seconds the database may take per batch of rows when `--timeout` is not given (as `DEFAULT_QUERY_TIMEOUT_MS`). */
export const DEFAULT_TIMEOUT_SECONDS = DEFAULT_QUERY_TIMEOUT_MS / 1000;

/**
 * Runs a read-only query and prints its rows. CSV, JSON and NDJSON are streamed as the rows
 * arrive (constant memory, every row unless `--limit`); a table holds at most `--limit` rows
 * (default TABLE_ROW_LIMIT) and says when more were cut.
 */
export async function handleSelect(accounting: Accounting, args: SelectArgs, io: CliIo): Promise<QueryStreamSummary> {
  const sql = selectSql(args, (text) => io.stderr.write(`${text}\n`));
  const timeoutMs = (args.timeout ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
  if (args.format === "table") return printTable(accounting, sql, args.limit ?? TABLE_ROW_LIMIT, timeoutMs, io);
  const output = streamedFormat(args.format);
  let columns: readonly string[] = [];
  let first = true;
  const summary = await accounting.selectStream(
    sql,
    {
      columns: async (names) => {
        columns = names;
        await writeOut(io, output.start(names));
      },
      rows: async (batch) => {
        let text = "";
        for (const row of batch) {
          text += output.row(columns, row, first);
          first = false;
        }
        await writeOut(io, text);
      },
    },
    { timeoutMs, ...(args.limit === undefined ? {} : { maxRows: args.limit }) },
  );
  await writeOut(io, output.end(first));
  return summary;
}

interface StreamedFormat {
  start(columns: readonly string[]): string;
  row(columns: readonly string[], row: readonly QueryValue[], first: boolean): string;
  end(empty: boolean): string;
}

function streamedFormat(format: "csv" | "json" | "ndjson"): StreamedFormat {
  if (format === "csv") return { start: (columns) => `${csvLine(columns)}\n`, row: (_c, row) => `${rowCsv(row)}\n`, end: () => "" };
  if (format === "ndjson") return { start: () => "", row: (columns, row) => `${rowNdjson(columns, row)}\n`, end: () => "" };
  // Pretty-printed like JSON.stringify(rows, null, 2), one element at a time.
  return { start: () => "[", row: (columns, row, first) => `${first ? "\n" : ",\n"}${rowJsonElement(columns, row)}`, end: (empty) => (empty ? "]\n" : "\n]\n") };
}

async function printTable(accounting: Accounting, sql: string, limit: number, timeoutMs: number, io: CliIo): Promise<QueryStreamSummary> {
  let columns: readonly string[] = [];
  const cells: string[][] = [];
  // A column whose values are all numbers is a number column: right-aligned, never cut or wrapped.
  let numeric: boolean[] = [];
  const summary = await accounting.selectStream(
    sql,
    {
      columns: (names) => {
        columns = names;
        numeric = names.map(() => true);
      },
      rows: (batch) => {
        for (const row of batch) {
          row.forEach((value, i) => {
            if (value !== null && typeof value !== "number" && typeof value !== "bigint") numeric[i] = false;
          });
          cells.push(row.map((value) => cellText(value ?? null)));
        }
      },
    },
    { timeoutMs, maxRows: limit },
  );
  if (cells.length === 0 && !summary.truncated) println(io, "No results found");
  else {
    const lines = renderTable(
      columns.map((header, i) => ({ header, ...(numeric[i] && cells.length > 0 && { align: "right" as const }) })),
      cells,
      { title: "Query Results", maxWidth: io.stdout.isTTY ? io.stdout.columns : undefined },
    );
    for (const line of lines) await writeOut(io, `${line}\n`);
  }
  if (summary.truncated) {
    println(io, `Only the first ${limit} rows are shown; more were cut. Get them all with --format csv, json or ndjson (no limit), or raise --limit.`);
  }
  return summary;
}

/** `llm-accounting select`. */
export function selectCommand(ctx: CommandContext): CommandModule<GlobalArgs, SelectArgs> {
  return {
    command: "select",
    describe: "Run one read-only SQL query against the store",
    builder: (yargs: Argv<GlobalArgs>) =>
      yargs
        .option("query", { alias: "q", type: "string", describe: "SQL to run (default: every usage entry)" })
        .option("project", { type: "string", describe: "Only entries of this project (NULL: entries without one)" })
        .option("format", formatOption(["table", "csv", "json", "ndjson"], "table", "Output format (csv, json and ndjson stream every row)"))
        .option("limit", { type: "string", number: true, describe: `Most rows to print (table default: ${TABLE_ROW_LIMIT}; other formats: all)`, coerce: positiveInteger("limit") })
        .option("timeout", { type: "string", number: true, describe: `Seconds the database may take per batch of rows (default ${DEFAULT_TIMEOUT_SECONDS})`, coerce: positiveSeconds("timeout") }),
    handler: (args) =>
      runHandler(ctx, () => withAccounting(ctx, args, (accounting) => handleSelect(accounting, args, ctx.io), { readOnly: true })),
  };
}
