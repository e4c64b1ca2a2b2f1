import { readFileSync } from "node:fs";
import { dayText, parseTimeBound, scaledDecimal, ValidationError, type Accounting } from "@llm-accounting/core";
import type { Argv, CommandModule } from "yargs";
import type { GlobalArgs } from "../context/global-options.js";
import { formatOption } from "../context/format-option.js";

import { EXIT, UsageError } from "../errors.js";
import { LIST_FORMATS, writeListing, type ListFormat } from "../format/output.js";
import { currencyOptions, displayCurrency, type CurrencyArgs, type DisplayCurrency } from "../currency/currency-options.js";
import { fetchPages } from "../reconcile/admin-api.js";
import { anthropicCostReport, anthropicUsageReport } from "../reconcile/anthropic-report.js";
import { reconcile } from "../reconcile/compare.js";
import { daysBetween, ledgerRows } from "../reconcile/ledger-rows.js";
import { openAICostsReport, openAIUsageReport } from "../reconcile/openai-report.js";
import { mergeReports, type Provider, type ProviderReport } from "../reconcile/provider-report.js";
import { providerRequests, type ReconcileScope, type ReportRequest } from "../reconcile/provider-requests.js";
import { figureJson, reconciliationJson, reconciliationText, type ReconcileHeader } from "../reconcile/reconcile-output.js";
import { runHandler, withAccounting, type CommandContext } from "./command-context.js";

/** Parsed `reconcile` arguments. */
export interface ReconcileArgs extends GlobalArgs, CurrencyArgs {
  openaiCosts?: string;
  openaiUsage?: string;
  anthropicUsage?: string;
  anthropicCosts?: string;
  fromApi?: Provider;
  apiBase?: string;
  /** First and last UTC day compared (the start of each, as an instant). */
  since?: Date;
  until?: Date;
  by: ReconcileScope;
  apiKeyTag?: string;
  map?: Record<string, string>;
  exactModels?: boolean;
  /** Millionths of a percent. */
  tolerance: bigint;
  /** Nano-dollars. */
  minDifference: bigint;
  format: ListFormat;
}

type ReportKind = ReportRequest["kind"];
const FILE_FLAGS: readonly { readonly arg: "openaiCosts" | "openaiUsage" | "anthropicUsage" | "anthropicCosts"; readonly kind: ReportKind }[] = [
  { arg: "openaiCosts", kind: "openai-costs" },
  { arg: "openaiUsage", kind: "openai-usage" },
  { arg: "anthropicUsage", kind: "anthropic-usage" },
  { arg: "anthropicCosts", kind: "anthropic-costs" },
];

/** The provider figures of one report's JSON (`document`), read as `kind`. */
function readReport(kind: ReportKind, document: unknown, source: string, by: ReconcileScope): ProviderReport {
  const openAIScope = by === "project" ? "project" : by === "api-key" ? "apiKey" : null;
  const anthropicScope = by === "project" ? "workspace" : by === "api-key" ? "apiKey" : null;
  if (kind === "openai-costs") return openAICostsReport(document, source, openAIScope);
  if (kind === "openai-usage") return openAIUsageReport(document, source, openAIScope);
  if (kind === "anthropic-usage") return anthropicUsageReport(document, source, anthropicScope);
  return anthropicCostReport(document, source, anthropicScope);
}

/** Compares the ledger with the provider's own figures per UTC day and model; sets exit code 4 when a difference passes the tolerance. */
export async function handleReconcile(ctx: CommandContext, args: ReconcileArgs, display: DisplayCurrency | undefined, open: <T>(work: (accounting: Accounting) => Promise<T>) => Promise<T>): Promise<void> {
  const io = ctx.io;
  const files = FILE_FLAGS.filter((f) => args[f.arg] !== undefined);
  if (files.length === 0 && args.fromApi === undefined) throw new UsageError("reconcile needs the provider's figures: --openai-costs, --openai-usage, --anthropic-usage or --anthropic-costs FILE, or --from-api openai|anthropic");
  if (files.length > 0 && args.fromApi !== undefined) throw new UsageError("--from-api fetches the provider's figures: give it or files, not both");
  const providers = new Set(files.map((f) => f.kind.split("-")[0] as Provider));
  if (providers.size > 1) throw new UsageError("reconcile compares one provider at a time: give OpenAI files or Anthropic files");
  const provider = args.fromApi ?? [...providers][0]!;
  if ((args.by === "api-key") !== (args.apiKeyTag !== undefined)) throw new UsageError(args.by === "api-key" ? "--by api-key needs --api-key-tag KEY (the tag your calls carry the provider's API key id in)" : "--api-key-tag goes with --by api-key");
  if (args.by === "api-key" && args.anthropicCosts !== undefined) throw new UsageError("--anthropic-costs has no API keys: --by api-key compares --anthropic-usage only");
  let since = args.since && dayText(args.since);
  let until = args.until && dayText(args.until);
  let report: ProviderReport;
  if (args.fromApi) {
    if (!since) throw new UsageError("--from-api needs --since (the first UTC day to compare)");
    // The current day is still being counted on both sides: by default the range ends yesterday.
    until ??= dayText(new Date(io.now().getTime() - 86_400_000));
    if (until < since) throw new UsageError(`--until (${until}) must not be before --since (${since})`);
    const requests = providerRequests(provider, since, until, args.by, io.env, args.apiBase);
    report = mergeReports(await Promise.all(requests.map(async (r) => readReport(r.kind, await fetchPages(r), `GET ${r.url.origin}${r.url.pathname}`, args.by))));
  } else {
    report = mergeReports(files.map((f) => readReport(f.kind, readJsonFile(args[f.arg]!, f.arg), `--${flagName(f.arg)} "${args[f.arg]}"`, args.by)));
    const covered = [...report.days].sort();
    since ??= covered[0];
    until ??= covered.at(-1);
    if (!since || !until) throw new UsageError("the provider's files hold no buckets: give --since and --until");
    if (until < since) throw new UsageError(`--until (${until}) must not be before --since (${since})`);
  }
  const days = daysBetween(since, until);
  const inRange = new Set(days);
  const provided: ProviderReport = { ...report, rows: report.rows.filter((r) => inRange.has(r.day)), days: new Set([...report.days].filter((d) => inRange.has(d))) };
  const ledger = await open((accounting) => ledgerRows(accounting, days, args.by, args.apiKeyTag));
  const result = reconcile(provided, ledger, { provider, exactModels: args.exactModels === true, tolerance: args.tolerance, minDifference: args.minDifference, scopeMap: new Map(Object.entries(args.map ?? {})) });
  const header: ReconcileHeader = { provider, since, until, by: args.by, sources: report.sources, tolerance: args.tolerance, minDifference: args.minDifference };
  await writeListing(io, args.format, result.figures.map((f) => figureJson(f, args.by, display)), {
    document: reconciliationJson(header, result, display),
    table: () => reconciliationText(header, result, display, io.stdout.isTTY ? io.stdout.columns : undefined),
  });
  if (result.beyondTolerance > 0) ctx.exitCode = EXIT.beyondTolerance;
}

const flagName = (arg: string): string => arg.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function readJsonFile(file: string, field: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ValidationError(field, `cannot read "${file}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ValidationError(field, `"${file}" is not JSON: ${(error as Error).message}`);
  }
}

/** A yargs `coerce` for `--since`/`--until`: a day (or today, yesterday, 7d...) read in UTC, as its first instant. */
const utcDay = (flag: string, now: () => Date) => (value: unknown): Date | undefined => {
  if (value === undefined) return undefined;
  const parsed = parseTimeBound(String(value), flag === "since" ? "start" : "end", now(), "UTC");
  if (parsed === undefined || Number.isNaN(parsed.getTime())) throw new UsageError(`--${flag} must be a UTC day (2025-06-01), today, yesterday or an age (7d) (got "${String(value)}")`);
  return new Date(`${dayText(parsed)}T00:00:00Z`);
};

const decimalFlag = (flag: string, decimals: number, what: string) => (value: unknown): bigint => {
  const text = String(value).trim();
  const units = scaledDecimal(flag === "tolerance" ? text.replace(/%$/, "") : text, decimals);
  if (units === undefined || units < 0n) throw new UsageError(`--${flag} must be ${what} (got "${text}")`);
  return units;
};

function mapFlags(value: unknown): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  const map: Record<string, string> = {};
  for (const item of (Array.isArray(value) ? value : [value]).map(String)) {
    const eq = item.indexOf("=");
    if (eq <= 0 || eq === item.length - 1) throw new UsageError(`--map must be ID=NAME, the provider's project, workspace or API key id and the ledger's name (got "${item}")`);
    map[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return map;
}

/** `llm-accounting reconcile`. */
export function reconcileCommand(ctx: CommandContext): CommandModule<GlobalArgs, ReconcileArgs> {
  const file = (describe: string) => ({ type: "string" as const, describe, requiresArg: true });
  return {
    command: "reconcile",
    describe: "Compare the ledger with the provider's own figures per UTC day and model; exit 4 beyond --tolerance",
    builder: (yargs: Argv<GlobalArgs>) =>
      yargs
        .option("openai-costs", file("JSON of OpenAI's Costs API (GET /v1/organization/costs, group_by=line_item)"))
        .option("openai-usage", file("JSON of OpenAI's completions Usage API (GET /v1/organization/usage/completions, group_by=model)"))
        .option("anthropic-usage", file("JSON of Anthropic's usage report (GET /v1/organizations/usage_report/messages, group_by[]=model)"))
        .option("anthropic-costs", file("JSON of Anthropic's cost report (GET /v1/organizations/cost_report, group_by[]=description)"))
        .option("from-api", { choices: ["openai", "anthropic"] as const, describe: "Fetch the provider's reports with the admin key in $OPENAI_ADMIN_KEY or $ANTHROPIC_ADMIN_KEY" })
        .option("api-base", { type: "string", describe: "Base URL of the provider's API for --from-api", defaultDescription: "$OPENAI_BASE_URL or $ANTHROPIC_BASE_URL, else the provider's" })
        .option("since", { type: "string", describe: "First UTC day compared: YYYY-MM-DD, today, yesterday, 7d", defaultDescription: "the files' first day", coerce: utcDay("since", ctx.io.now) })
        .option("until", { type: "string", describe: "Last UTC day compared, included", defaultDescription: "the files' last day; yesterday with --from-api", coerce: utcDay("until", ctx.io.now) })
        .option("by", { choices: ["model", "project", "api-key"] as const, default: "model" as const, describe: "Also match by project (OpenAI project, Anthropic workspace) or API key (with --api-key-tag)" })
        .option("api-key-tag", { type: "string", describe: "With --by api-key: the tag whose value is the provider's API key id" })
        .option("map", { type: "string", array: true, describe: "The ledger's name for a provider project/workspace/API key id: ID=NAME (repeatable)", coerce: mapFlags })
        .option("exact-models", { type: "boolean", describe: "Match model names exactly (default: gpt-4o-2024-08-06 and gpt-4o meet as gpt-4o)" })
        .option("tolerance", { type: "string", default: "2", describe: "Largest difference, in percent of the provider's figure, that passes", coerce: decimalFlag("tolerance", 6, "a percentage of at least 0, such as 2 or 0.5%") })
        .option("min-difference", { type: "string", default: "0", describe: "Cost differences up to this many USD pass whatever their share", coerce: decimalFlag("min-difference", 9, "an amount in USD of at least 0") })
        .option("format", formatOption(LIST_FORMATS, "table", "Output format (csv and ndjson: one row per figure)"))
        .options(currencyOptions) as unknown as Argv<ReconcileArgs>,
    handler: (args) =>
      runHandler(ctx, () => {
        const display = displayCurrency(args, ctx.io);
        return handleReconcile(ctx, args, display, (work) => withAccounting(ctx, args, work, { readOnly: true }));
      }),
  };
}
