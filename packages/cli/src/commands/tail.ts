import { matchesTagFilter, usageRecordJson, type Accounting, type UsageRecord } from "@llm-accounting/core";
import type { Argv, CommandModule } from "yargs";
import type { GlobalArgs } from "../context/global-options.js";
import { formatOption } from "../context/format-option.js";
import { integer, positiveSeconds } from "../context/parse-values.js";
import { rangeBounds, timeBound } from "../context/time-bound.js";
import { tagFlags } from "../context/tag-flags.js";
import { UsageError } from "../errors.js";
import { money, seconds, tokens, utcDateTime } from "../format/numbers.js";
import { LIST_FORMATS, writeListing, type ListFormat } from "../format/output.js";
import { renderTable } from "../format/table.js";
import type { CliIo } from "../io.js";
import { currencyOptions, displayCurrency, type CurrencyArgs, type DisplayCurrency } from "../currency/currency-options.js";
import { costHeader, recordCost } from "../currency/record-money.js";
import { runHandler, withAccounting, type CommandContext } from "./command-context.js";

/** Parsed `tail` arguments. */
export interface TailArgs extends GlobalArgs, CurrencyArgs {
  number: number;
  session?: string;
  /** Only entries carrying every one of these tags (`--tag key=value`, repeatable). */
  tag?: Record<string, string>;
  since?: Date;
  until?: Date;
  /** Keep printing entries as they are stored, until interrupted. */
  follow?: boolean;
  /** Seconds between two looks for new entries when following. */
  interval?: number;
  format: ListFormat;
}

/** Records a follow poll reads at most at once; it reads again at once while there are more. */
const FOLLOW_PAGE = 1000;

/** Shows the most recent usage entries (newest first); with `follow`, then every new one until interrupted. */
export async function handleTail(accounting: Accounting, args: TailArgs, io: CliIo, display?: DisplayCurrency): Promise<UsageRecord[]> {
  const show: Shown = { format: args.format, ...(display && { display, zone: args.timezone ?? "UTC" }) };
  const { since, until } = rangeBounds(args);
  const filter = { ...(args.session !== undefined && { session: args.session }), ...(args.tag && { tags: args.tag }), ...(since && { since }), ...(until && { until }) };
  const records = await accounting.tail(args.number, filter);
  if (!args.follow) {
    await printRecords(io, show, records, true);
    return records;
  }
  if (args.format === "json") throw new UsageError("--follow prints entries as they come: use --format ndjson (one JSON object a line), csv or table, not json");
  if (until) throw new UsageError("--follow shows new entries: it cannot be combined with --until");
  if (!io.interruption) throw new UsageError("--follow needs an interactive process (it runs until Ctrl-C)");
  // Oldest first when following, as the new entries will come: the newest line is the last.
  const shown = [...records].reverse();
  await printRecords(io, show, shown, true, true);
  let lastId = Math.max(0, ...(records.length > 0 ? records : await accounting.tail(1)).map((r) => r.id));
  const { signal, release } = io.interruption();
  try {
    let header = records.length === 0;
    while (!signal.aborted) {
      await pause((args.interval ?? 1) * 1000, signal);
      if (signal.aborted) break;
      // A cheap read: the records stored after the last one seen, by id (its primary key).
      for (let page = await accounting.entriesAfter(lastId, FOLLOW_PAGE); page.length > 0; page = page.length < FOLLOW_PAGE ? [] : await accounting.entriesAfter(lastId, FOLLOW_PAGE)) {
        lastId = page.at(-1)!.id;
        const wanted = page.filter((r) => (args.session === undefined || r.session === args.session) && matchesTagFilter(filter, r.tags) && (since === undefined || r.timestamp >= since));
        if (wanted.length > 0) await printRecords(io, show, wanted, header, true);
        if (wanted.length > 0) header = false;
      }
    }
  } finally {
    release();
  }
  return records;
}

/** How records are printed: the format, and the currency their costs are shown in (with the time zone of their days). */
interface Shown {
  readonly format: ListFormat;
  readonly display?: DisplayCurrency;
  readonly zone?: string;
}

// One batch of records in `format`; csv prints its header row only with the first batch. With a
// display currency each record's JSON form gains `converted` (its cost at the rate of its day).
async function printRecords(io: CliIo, shown: Shown, records: readonly UsageRecord[], first: boolean, following = false): Promise<void> {
  const width = io.stdout.isTTY ? io.stdout.columns : undefined;
  const empty = following ? [] : ["No usage entries found"];
  const { display, zone = "UTC" } = shown;
  const forms = records.map((r) => (display ? { ...usageRecordJson(r), converted: recordCost(r, display, zone).json } : usageRecordJson(r)));
  const cost = display ? { header: costHeader("Cost", display.code), text: (r: UsageRecord) => recordCost(r, display, zone).text } : undefined;
  await writeListing(io, shown.format, forms, {
    table: () => (records.length === 0 ? empty : tailTable(records, width, following ? (first ? "Usage Entries (following; Ctrl-C to stop)" : "") : undefined, cost)),
    csvHeader: first,
  });
}

/** The `tail` table; `title` replaces "Last N Usage Entries" ("" for none); `cost` shows costs another way (converted). */
export function tailTable(records: readonly UsageRecord[], maxWidth?: number, title?: string, cost?: { readonly header: string; readonly text: (r: UsageRecord) => string }): string[] {
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
      { header: cost?.header ?? "Cost", align: right },
      { header: "Exec Time", align: right },
    ],
    records.map((r) => [
      utcDateTime(r.timestamp),
      r.model,
      r.project || "-",
      r.callerName || "-",
      r.username || "-",
      // "~": counted locally, in part (a stream cut short before the provider's usage).
      estimate(r, tokens(r.promptTokens)),
      estimate(r, tokens(r.completionTokens)),
      estimate(r, tokens(r.totalTokens)),
      cost ? cost.text(r) : money(r.costNanos),
      seconds(r.executionTime),
    ]),
    { title: title ?? `Last ${records.length} Usage Entries`, maxWidth },
  );
}

const estimate = (r: UsageRecord, count: string): string => (r.usageEstimated ? `~${count}` : count);

// Waits `ms`, or less when the signal aborts.
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** `llm-accounting tail`. */
export function tailCommand(ctx: CommandContext): CommandModule<GlobalArgs, TailArgs> {
  return {
    command: "tail",
    describe: "Show the most recent usage entries; -f to keep showing new ones",
    builder: (yargs: Argv<GlobalArgs>) =>
      yargs
        .option("number", { alias: "n", type: "string", number: true, default: 10, describe: "How many entries (negative: all)", coerce: integer("number") })
        .option("session", { type: "string", describe: "Only entries of this session" })
        .option("tag", { type: "string", array: true, describe: "Only entries with this tag (key=value; repeat for several)", coerce: tagFlags("tag") })
        .option("since", { type: "string", describe: "Only entries from: YYYY-MM-DD, an ISO instant, 7d, 24h, 30m, today or yesterday (days in --timezone)", coerce: timeBound("since", "start", ctx.io.now) })
        .option("until", { type: "string", describe: "Only entries up to, included (a day counts whole)", coerce: timeBound("until", "end", ctx.io.now) })
        .option("follow", { alias: "f", type: "boolean", describe: "Then keep printing entries as they are stored (oldest first), until Ctrl-C" })
        .option("interval", { type: "string", number: true, describe: "Seconds between looks for new entries with --follow", defaultDescription: "1", coerce: positiveSeconds("interval") })
        .option("format", formatOption(LIST_FORMATS, "table", "Output format (csv and ndjson: one row per entry; json cannot --follow)"))
        .options(currencyOptions) as unknown as Argv<TailArgs>,
    handler: (args) =>
      runHandler(ctx, () => {
        // The rates file is read before the store is opened: a bad file prints nothing.
        const display = displayCurrency(args, ctx.io);
        return withAccounting(ctx, args, (accounting) => handleTail(accounting, args, ctx.io, display), { readOnly: true });
      }),
  };
}
