import type { Accounting, QueryResult, QueryValue } from "@llm-accounting/core";
import type { Argv, CommandModule } from "yargs";
import type { GlobalArgs } from "../context/global-options.js";
import { UsageError } from "../errors.js";
import { csvLine } from "../format/csv.js";
import { toJson } from "../format/json.js";
import { renderTable } from "../format/table.js";
import { println, type CliIo } from "../io.js";
import { runHandler, withAccounting, type CommandContext } from "./command-context.js";

/** Parsed `select` arguments. */
export interface SelectArgs extends GlobalArgs {
  query?: string;
  project?: string;
  format: "table" | "csv" | "json";
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

const show = (value: QueryValue): string => (value === null ? "" : value instanceof Date ? value.toISOString() : value instanceof Uint8Array ? `<${value.length} bytes>` : String(value));

/** Runs a read-only query and prints its rows. */
export async function handleSelect(accounting: Accounting, args: SelectArgs, io: CliIo): Promise<QueryResult> {
  const sql = selectSql(args, (text) => io.stderr.write(`${text}\n`));
  const result = await accounting.select(sql);
  if (args.format === "json") println(io, toJson(result.rows));
  else if (args.format === "csv") {
    println(io, csvLine(result.columns));
    for (const row of result.rows) println(io, csvLine(result.columns.map((c) => (row[c] instanceof Uint8Array ? show(row[c]) : row[c]))));
  } else if (result.rows.length === 0) println(io, "No results found");
  else {
    const lines = renderTable(
      result.columns.map((header) => ({ header })),
      result.rows.map((row) => result.columns.map((c) => show(row[c] ?? null))),
      { title: "Query Results", maxWidth: io.stdout.isTTY ? io.stdout.columns : undefined },
    );
    for (const line of lines) println(io, line);
  }
  return result;
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
        .option("format", { choices: ["table", "csv", "json"] as const, default: "table" as const, describe: "Output format" }) as unknown as Argv<SelectArgs>,
    handler: (args) =>
      runHandler(ctx, () => withAccounting(ctx, args, (accounting) => handleSelect(accounting, args, ctx.io), { readOnly: true })),
  };
}
