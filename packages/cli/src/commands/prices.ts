import { formatNanos, modelPriceJson, visibleText, type Accounting, type ModelPrice } from "@llm-accounting/core";
import type { Argv, CommandModule } from "yargs";
import type { GlobalArgs } from "../context/global-options.js";
import { formatOption } from "../context/format-option.js";
import { integer, nonNegativeNumber, timestamp } from "../context/parse-values.js";
import { toJson } from "../format/json.js";
import { RESULT_FORMATS, TABLE_OR_TEXT_FORMATS, writeListing, type ListFormat } from "../format/output.js";
import { utcDateTime } from "../format/numbers.js";
import { renderTable } from "../format/table.js";
import { println, type CliIo } from "../io.js";
import { runHandler, withAccounting, type CommandContext } from "./command-context.js";
import { withHelp } from "./help.js";

/** Parsed `prices set` arguments (USD per million tokens). */
export interface PricesSetArgs extends GlobalArgs {
  model: string;
  provider?: string;
  serviceTier?: string;
  effectiveFrom?: Date;
  input: number;
  cacheRead?: number;
  cacheWrite?: number;
  cacheWrite1h?: number;
  output: number;
  note?: string;
  format: "text" | "json";
}

/** Parsed `prices list` arguments. */
export interface PricesListArgs extends GlobalArgs {
  format: ListFormat;
}

/** Parsed `prices delete` arguments. */
export interface PricesDeleteArgs extends GlobalArgs {
  id: number;
}

/** USD per million tokens from nano-dollars per million, without trailing zeros. */
const perMTok = (nanos: bigint | null): string => (nanos === null ? "-" : `$${formatNanos(nanos, 9).replace(/\.?0+$/, "")}`);

/** The stored prices as table lines. */
export function pricesTable(prices: readonly ModelPrice[]): string[] {
  return renderTable(
    [{ header: "ID", align: "right" }, { header: "Model" }, { header: "Provider" }, { header: "Tier" }, { header: "From (UTC)" }, { header: "Input/MTok", align: "right" }, { header: "Cache read", align: "right" }, { header: "Cache write", align: "right" }, { header: "Write 1h", align: "right" }, { header: "Output/MTok", align: "right" }, { header: "Note" }],
    prices.map((p) => [String(p.id), p.model, p.provider ?? "-", p.serviceTier ?? "-", utcDateTime(p.effectiveFrom), perMTok(p.inputNanosPerMTok), perMTok(p.cacheReadNanosPerMTok), perMTok(p.cacheWriteNanosPerMTok), perMTok(p.cacheWrite1hNanosPerMTok ?? null), perMTok(p.outputNanosPerMTok), p.note ?? ""]),
  );
}

/** Stores a price. */
export async function handlePricesSet(accounting: Accounting, args: PricesSetArgs, io: CliIo): Promise<ModelPrice> {
  const price = await accounting.setModelPrice({
    model: args.model,
    provider: args.provider ?? null,
    serviceTier: args.serviceTier ?? null,
    effectiveFrom: args.effectiveFrom ?? null,
    inputPerMTok: args.input,
    cacheReadPerMTok: args.cacheRead ?? null,
    cacheWritePerMTok: args.cacheWrite ?? null,
    cacheWrite1hPerMTok: args.cacheWrite1h ?? null,
    outputPerMTok: args.output,
    note: args.note ?? null,
  });
  println(io, args.format === "json" ? toJson(price) : `Price ${price.id} set for ${visibleText(price.model)} from ${utcDateTime(price.effectiveFrom)} UTC.`);
  return price;
}

/** Lists the stored prices. */
export async function handlePricesList(accounting: Accounting, args: PricesListArgs, io: CliIo): Promise<void> {
  const prices = await accounting.listModelPrices();
  // modelPriceJson: rates in USD and exact nano-dollars, as the library writes them.
  await writeListing(io, args.format, prices.map(modelPriceJson), {
    table: () => (prices.length === 0 ? ["No stored prices; calls are priced from the catalog."] : pricesTable(prices)),
  });
}

/** Deletes a stored price. */
export async function handlePricesDelete(accounting: Accounting, args: PricesDeleteArgs, io: CliIo): Promise<void> {
  await accounting.deleteModelPrice(args.id);
  println(io, `Price ${args.id} deleted.`);
}

/** `llm-accounting prices set|list|delete`. */
export function pricesCommand(ctx: CommandContext): CommandModule<GlobalArgs, GlobalArgs> {
  const set: CommandModule<GlobalArgs, PricesSetArgs> = {
    command: "set",
    describe: "Store a model price (USD per million tokens); it wins over the catalog from --effective-from",
    builder: (yargs) =>
      yargs
        .option("model", { type: "string", demandOption: true, describe: "Model name as recorded" })
        .option("provider", { type: "string", describe: "Only for calls through this provider" })
        .option("service-tier", { type: "string", describe: "Only for calls at this service tier (priority, batch...), priced as given; wins over tier-free prices" })
        .option("effective-from", { type: "string", describe: "First instant the price applies to (default: always)", coerce: timestamp("effective-from") })
        .option("input", { type: "string", number: true, demandOption: true, describe: "USD per million non-cached input tokens", coerce: nonNegativeNumber("input") })
        .option("cache-read", { type: "string", number: true, describe: "USD per million cache-read tokens (default: --input)", coerce: nonNegativeNumber("cache-read") })
        .option("cache-write", { type: "string", number: true, describe: "USD per million cache-write tokens (default: --input)", coerce: nonNegativeNumber("cache-write") })
        .option("cache-write-1h", { type: "string", number: true, describe: "USD per million 1-hour cache-write tokens (default: the provider's rule, Anthropic 2x --input; else --cache-write)", coerce: nonNegativeNumber("cache-write-1h") })
        .option("output", { type: "string", number: true, demandOption: true, describe: "USD per million output tokens (reasoning included)", coerce: nonNegativeNumber("output") })
        .option("note", { type: "string", describe: "Why (contract, correction...)" })
        .option("format", formatOption(RESULT_FORMATS, "text")) as unknown as Argv<PricesSetArgs>,
    handler: (args) => runHandler(ctx, () => withAccounting(ctx, args, (accounting) => handlePricesSet(accounting, args, ctx.io))),
  };
  const list: CommandModule<GlobalArgs, PricesListArgs> = {
    command: "list",
    describe: "List stored prices",
    // "text" was the name of the table before the formats were unified; scripts may still pass it.
    builder: (yargs) => yargs.option("format", formatOption(TABLE_OR_TEXT_FORMATS, "table", "Output format (csv and ndjson: one row per price)")),
    handler: (args) => runHandler(ctx, () => withAccounting(ctx, args, (accounting) => handlePricesList(accounting, args, ctx.io), { readOnly: true })),
  };
  const del: CommandModule<GlobalArgs, PricesDeleteArgs> = {
    command: "delete",
    describe: "Delete a stored price by id",
    builder: (yargs) => yargs.option("id", { type: "string", number: true, demandOption: true, describe: "Price id (see prices list)", coerce: integer("id") }) as unknown as Argv<PricesDeleteArgs>,
    handler: (args) => runHandler(ctx, () => withAccounting(ctx, args, (accounting) => handlePricesDelete(accounting, args, ctx.io))),
  };
  return {
    command: "prices",
    describe: "Manage stored model prices (set, list, delete)",
    builder: (yargs) => yargs.command(withHelp(set, "prices set")).command(withHelp(list, "prices list")).command(withHelp(del, "prices delete")).demandCommand(1, "Choose a prices command: set, list or delete"),
    handler: () => undefined,
  };
}
