import { visibleText, type Accounting, type RepriceResult } from "@llm-accounting/core";
import type { Argv, CommandModule } from "yargs";
import type { GlobalArgs } from "../context/global-options.js";
import { nonNegativeInteger, periodBound } from "../context/parse-values.js";
import { UsageError } from "../errors.js";
import { toJson } from "../format/json.js";
import { money, utcDateTime } from "../format/numbers.js";
import { progressReporter } from "../format/progress.js";
import { renderTable } from "../format/table.js";
import { println, type CliIo } from "../io.js";
import { runHandler, withAccounting, type CommandContext } from "./command-context.js";

/** Parsed `reprice` arguments. */
export interface RepriceArgs extends GlobalArgs {
  start: Date;
  end: Date;
  apply: boolean;
  includeCallerCosts: boolean;
  limit: number;
  format: "text" | "json";
}

/** Recomputes costs over the period; prints the difference, and writes only with --apply. */
export async function handleReprice(accounting: Accounting, args: RepriceArgs, io: CliIo): Promise<RepriceResult> {
  if (args.start.getTime() > args.end.getTime()) throw new UsageError("--end must not be before --start");
  const progress = progressReporter(io);
  const result = await accounting
    .reprice(args.start, args.end, { apply: args.apply, includeCallerCosts: args.includeCallerCosts, onProgress: progress.update })
    .finally(progress.end);
  if (args.format === "json") {
    println(io, toJson({ ...result, unpriced: Object.fromEntries(result.unpriced) }));
    return result;
  }
  const shown = result.changes.slice(0, Math.max(0, args.limit));
  if (shown.length > 0) {
    const lines = renderTable(
      [{ header: "ID", align: "right" }, { header: "Time (UTC)" }, { header: "Model" }, { header: "Old cost", align: "right" }, { header: "New cost", align: "right" }, { header: "Difference", align: "right" }],
      shown.map((c) => [String(c.id), utcDateTime(c.timestamp), c.model, money(c.oldCostNanos), money(c.newCostNanos), signed(c.newCostNanos - c.oldCostNanos)]),
    );
    for (const line of lines) println(io, line);
    if (result.changes.length > shown.length) println(io, `... and ${result.changes.length - shown.length} more (--limit)`);
  }
  println(io, `${result.examined} ${result.examined === 1 ? "record" : "records"} examined, ${result.changes.length} ${result.applied ? "updated" : "would change"}: ${money(result.oldTotalNanos)} -> ${money(result.newTotalNanos)} (${signed(result.newTotalNanos - result.oldTotalNanos)})`);
  for (const [model, count] of result.unpriced) println(io, `unpriced: ${visibleText(model)} (${count} records) - set one with \`prices set\``);
  if (!result.applied && result.changes.length > 0) println(io, "Dry run: nothing was changed. Run again with --apply to write the new costs.");
  return result;
}

const signed = (nanos: bigint): string => (nanos < 0n ? `-${money(-nanos)}` : `+${money(nanos)}`);

/** `llm-accounting reprice`. */
export function repriceCommand(ctx: CommandContext): CommandModule<GlobalArgs, RepriceArgs> {
  return {
    command: "reprice",
    describe: "Recompute costs for a period from the current prices (dry run unless --apply)",
    builder: (yargs: Argv<GlobalArgs>) =>
      yargs
        .option("start", { type: "string", demandOption: true, describe: "Period start: YYYY-MM-DD or a timestamp (UTC when no offset)", coerce: periodBound("start", "start") })
        .option("end", { type: "string", demandOption: true, describe: "Period end, inclusive: YYYY-MM-DD (the whole day) or a timestamp", coerce: periodBound("end", "end") })
        .option("apply", { type: "boolean", default: false, describe: "Write the new costs (a few thousand rows per transaction; other processes keep tracking)" })
        .option("include-caller-costs", { type: "boolean", default: false, describe: "Also recompute costs that were given explicitly when tracked" })
        .option("limit", { type: "string", default: "20", describe: "Changes listed in the table", coerce: nonNegativeInteger("limit") })
        .option("format", { choices: ["text", "json"] as const, default: "text" as const, describe: "Output format" }) as unknown as Argv<RepriceArgs>,
    handler: (args) => runHandler(ctx, () => withAccounting(ctx, args, (accounting) => handleReprice(accounting, args, ctx.io), { pricing: true })),
  };
}
