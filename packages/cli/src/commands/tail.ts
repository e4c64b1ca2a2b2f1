import { usageRecordJson, type Accounting, type UsageRecord } from "@llm-accounting/core";
import type { Argv, CommandModule } from "yargs";
import type { GlobalArgs } from "../context/global-options.js";
import { integer } from "../context/parse-values.js";
import { money, seconds, tokens, utcDateTime } from "../format/numbers.js";
import { LIST_FORMATS, writeListing } from "../format/output.js";
import { renderTable } from "../format/table.js";
import type { CliIo } from "../io.js";
import { runHandler, withAccounting, type CommandContext, type OutputFormat } from "./command-context.js";

/** Parsed `tail` arguments. */
export interface TailArgs extends GlobalArgs {
  number: number;
  session?: string;
  format: OutputFormat;
}

/** Shows the most recent usage entries. */
export async function handleTail(accounting: Accounting, args: TailArgs, io: CliIo): Promise<UsageRecord[]> {
  const records = await accounting.tail(args.number, args.session === undefined ? {} : { session: args.session });
  // The records' JSON form is the library's (usageRecordJson): the same fields in every format.
  await writeListing(io, args.format, records.map(usageRecordJson), {
    table: () => (records.length === 0 ? ["No usage entries found"] : tailTable(records, io.stdout.isTTY ? io.stdout.columns : undefined)),
  });
  return records;
}

/** The `tail` table. */
export function tailTable(records: readonly UsageRecord[], maxWidth?: number): string[] {
  const right = "right" as const;
  return renderTable(
    [
      { header: "Timestamp" },
      { header: "Model" },
      { header: "Project" },
      { header: "Caller" },
      { header: "User" },
      { header: "Prompt Tokens", align: right },
      { header: "Completion Tokens", align: right },
      { header: "Total Tokens", align: right },
      { header: "Cost", align: right },
      { header: "Exec Time", align: right },
    ],
    records.map((r) => [
      utcDateTime(r.timestamp),
      r.model,
      r.project || "-",
      r.callerName || "-",
      r.username || "-",
      tokens(r.promptTokens),
      tokens(r.completionTokens),
      tokens(r.totalTokens),
      money(r.costNanos),
      seconds(r.executionTime),
    ]),
    { title: `Last ${records.length} Usage Entries`, maxWidth },
  );
}

/** `llm-accounting tail`. */
export function tailCommand(ctx: CommandContext): CommandModule<GlobalArgs, TailArgs> {
  return {
    command: "tail",
    describe: "Show the most recent usage entries",
    builder: (yargs: Argv<GlobalArgs>) =>
      yargs
        .option("number", { alias: "n", type: "string", number: true, default: 10, describe: "How many entries (negative: all)", coerce: integer("number") })
        .option("session", { type: "string", describe: "Only entries of this session" })
        .option("format", { choices: LIST_FORMATS, default: "table" as const, describe: "Output format (csv and ndjson: one row per entry)" }) as unknown as Argv<TailArgs>,
    handler: (args) =>
      runHandler(ctx, () => withAccounting(ctx, args, (accounting) => handleTail(accounting, args, ctx.io), { readOnly: true })),
  };
}
