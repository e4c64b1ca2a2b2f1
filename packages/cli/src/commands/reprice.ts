import { repriceChangeJson, repriceResultJson, visibleText, type Accounting, type RepriceResult } from "@llm-accounting/core";
import type { Argv, CommandModule } from "yargs";
import type { GlobalArgs } from "../context/global-options.js";
import { formatOption } from "../context/format-option.js";
import { nonNegativeInteger } from "../context/parse-values.js";
import { rangeBounds, timeBound } from "../context/time-bound.js";
import { UsageError } from "../errors.js";
import { TABLE_OR_TEXT_FORMATS, writeListing, type ListFormat } from "../format/output.js";
import { money, utcDateTime } from "../format/numbers.js";
import { progressReporter } from "../format/progress.js";
import { renderTable } from "../format/table.js";
import { println, type CliIo } from "../io.js";
import { runHandler, withAccounting, type CommandContext } from "./command-context.js";

/** Parsed `reprice` arguments. */
export interface RepriceArgs extends GlobalArgs {
  since?: Date;
  until?: Date;
  /** Older spelling of `since`. */
  start?: Date;
  /** Older spelling of `until`. */
  end?: Date;
  apply: boolean;
  includeCallerCosts: boolean;
  includeProviderCosts: boolean;
  limit: number;
  format: ListFormat;
}

/** Recomputes costs over the period; prints the difference, and writes only with --apply. */
export async function handleReprice(accounting: Accounting, args: RepriceArgs, io: CliIo): Promise<RepriceResult> {
  const { since, until = io.now() } = rangeBounds(args);
  // Repricing everything by accident rewrites history: the start is never implied.
  if (!since) throw new UsageError("--since (or --start) is required: the first instant to reprice");
  if (until < since) throw new UsageError("--since must not be in the future (without --until the range ends now)");
  const progress = progressReporter(io);
  const result = await accounting
    .reprice(since, until, { apply: args.apply, includeCallerCosts: args.includeCallerCosts, includeProviderCosts: args.includeProviderCosts, onProgress: progress.update })
    .finally(progress.end);
  if (args.format !== "table" && args.format !== "text") {
    // JSON is the library's form of the whole result; csv and ndjson have a row per change.
    await writeListing(io, args.format, result.changes.map(repriceChangeJson), { document: repriceResultJson(result), table: () => [] });
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
        .option("since", { type: "string", describe: "Period start (required): YYYY-MM-DD, an ISO instant (UTC when no offset), 7d, 24h, 30m, today or yesterday", coerce: timeBound("since", "start", ctx.io.now) })
        .option("until", { type: "string", describe: "Period end, included (a day counts whole); default now", coerce: timeBound("until", "end", ctx.io.now) })
        .option("start", { type: "string", describe: "Same as --since", coerce: timeBound("start", "start", ctx.io.now) })
        .option("end", { type: "string", describe: "Same as --until", coerce: timeBound("end", "end", ctx.io.now) })
        .conflicts({ since: "start", until: "end" })
        .option("apply", { type: "boolean", default: false, describe: "Write the new costs (a few thousand rows per transaction; other processes keep tracking)" })
        .option("include-caller-costs", { type: "boolean", default: false, describe: "Also recompute costs that were given explicitly when tracked" })
        .option("include-provider-costs", { type: "boolean", default: false, describe: "Also recompute costs the provider reported (kept by default: they are what was billed)" })
        .option("limit", { type: "string", number: true, default: 20, describe: "Changes listed in the table", coerce: nonNegativeInteger("limit") })
        // "text" was the name of the table before the formats were unified; scripts may still pass it.
        .option("format", formatOption(TABLE_OR_TEXT_FORMATS, "table", "Output format (json: the whole result; csv and ndjson: one row per change)")) as unknown as Argv<RepriceArgs>,
    handler: (args) => runHandler(ctx, () => withAccounting(ctx, args, (accounting) => handleReprice(accounting, args, ctx.io), { pricing: true })),
  };
}
