import type { Accounting, GroupUsageTotals, ModelRankings, ModelStats, RankedModel, UsageDimension, UsageStats } from "@llm-accounting/core";
import { checkTagKey, rankModels, usageTotalsJson, usdToNanos, ValidationError, visibleText, type TagBreakdownFilter } from "@llm-accounting/core";
import { tagFlags, tagOfBy } from "../context/tag-flags.js";
import { UsageError } from "../errors.js";
import type { Argv, CommandModule } from "yargs";
import type { GlobalArgs } from "../context/global-options.js";
import { formatOption } from "../context/format-option.js";
import { rangeBounds, timeBound } from "../context/time-bound.js";
import { money, seconds, tokens, utcDate } from "../format/numbers.js";
import { LIST_FORMATS, writeListing, type ListFormat } from "../format/output.js";
import { renderTable } from "../format/table.js";
import type { CliIo } from "../io.js";
import { runHandler, withAccounting, type CommandContext } from "./command-context.js";
import { reportRange, type PeriodName } from "./stats-period.js";
import { dayIn } from "@llm-accounting/core";
import { currencyOptions, displayCurrency, type CurrencyArgs, type DisplayCurrency } from "../currency/currency-options.js";
import { costHeader, moneyText, unitsText } from "../currency/record-money.js";
import { convertedStatsJson, convertStats, type ConvertedStats } from "./stats-currency.js";

/** Parsed `stats` arguments. */
export interface StatsArgs extends GlobalArgs, CurrencyArgs {
  period?: PeriodName;
  daily?: boolean;
  weekly?: boolean;
  monthly?: boolean;
  yearly?: boolean;
  since?: Date;
  until?: Date;
  /** Older spelling of `since`. */
  start?: Date;
  /** Older spelling of `until`. */
  end?: Date;
  session?: string;
  /** A column, or `tag:<key>` for a breakdown by that tag's values. */
  by?: UsageDimension | `tag:${string}`;
  /** Only usage carrying every one of these tags (`--tag key=value`, repeatable). */
  tag?: Record<string, string>;
  format: ListFormat;
}

/** Everything `stats` reports, as printed by `--format json`. */
export interface StatsReport {
  readonly period: { readonly label: string; readonly start: Date; readonly end: Date };
  readonly totals: UsageStats;
  readonly models: readonly ModelStats[];
  readonly rankings: ModelRankings;
  /** With `--by`: usage per value of that column. */
  readonly breakdown?: { readonly by: UsageDimension | `tag:${string}`; readonly groups: readonly GroupUsageTotals[] };
  /** With `--tag`: the tags every part of the report is narrowed to. */
  readonly tags?: Readonly<Record<string, string>>;
  /** With `--session`: the session the report is about. */
  readonly session?: string;
  /** With `--currency`: the amounts in that currency (JSON: exact decimal text). */
  readonly converted?: ConvertedStats;
}

/** Gathers totals, per-model stats and rankings for the requested period. */
export async function handleStats(accounting: Accounting, args: StatsArgs, io: CliIo, display?: DisplayCurrency): Promise<StatsReport> {
  const shorthand = (["daily", "weekly", "monthly", "yearly"] as const).find((p) => args[p]);
  const { since, until } = rangeBounds(args);
  const range = reportRange(args.period ?? shorthand, since, until, io.now(), args.timezone);
  const filter: TagBreakdownFilter = { ...(args.session !== undefined && { session: args.session }), ...(args.tag && { tags: args.tag }) };
  const byTag = tagOfBy(args.by);
  const byColumn = byTag === undefined ? (args.by as UsageDimension | undefined) : undefined;
  const [totals, models, groups] = await Promise.all([
    accounting.getPeriodStats(range.start, range.end, filter),
    accounting.getModelStats(range.start, range.end, filter),
    byTag !== undefined ? accounting.getUsageByTag(range.start, range.end, byTag, filter) : byColumn ? accounting.getUsageBreakdown(range.start, range.end, byColumn, filter) : undefined,
  ]);
  const converted = display ? await convertStats(accounting, { start: range.start, end: range.end, filter, requests: totals.requests, ...(byColumn && { byColumn }), ...(byTag !== undefined && { byTag }) }, display, args.timezone ?? "UTC") : undefined;
  const report: StatsReport = {
    period: { label: range.label, start: range.start, end: range.end },
    ...(args.session !== undefined && { session: args.session }),
    ...(args.tag && { tags: args.tag }),
    totals,
    models,
    rankings: rankModels(models.map((m) => ({ model: m.model, ...totalsOf(m.stats) }))),
    ...(args.by && groups && { breakdown: { by: args.by, groups } }),
    ...(converted && { converted }),
  };
  // csv and ndjson have one row per record: per model, or per group with --by. JSON is the whole
  // report; its parts keep the library's JSON form (their toJSON).
  const rows: readonly unknown[] = report.breakdown ? report.breakdown.groups : report.models;
  await writeListing(io, args.format, converted ? convertedRows(report, converted) : rows, {
    document: converted ? { ...report, converted: convertedStatsJson(converted) } : report,
    table: () => statsText(report, io.stdout.isTTY ? io.stdout.columns : undefined, args.timezone),
  });
  return report;
}

// csv and ndjson rows with their cost in the display currency beside the USD one.
function convertedRows(report: StatsReport, c: ConvertedStats): unknown[] {
  const shown = (units: bigint | undefined) => ({ currency: c.currency, cost: unitsText(units ?? 0n) });
  if (report.breakdown) return report.breakdown.groups.map((g) => ({ ...usageTotalsJson(g), converted: shown(c.groups?.get(g.key)) }));
  return report.models.map((m) => ({ model: m.model, stats: m.stats, converted: shown(c.models.get(m.model)) }));
}

function totalsOf(s: UsageStats) {
  return {
    requests: s.requests,
    promptTokens: s.sumPromptTokens,
    completionTokens: s.sumCompletionTokens,
    totalTokens: s.sumTotalTokens,
    localPromptTokens: s.sumLocalPromptTokens,
    localCompletionTokens: s.sumLocalCompletionTokens,
    localTotalTokens: s.sumLocalTotalTokens,
    cachedTokens: s.sumCachedTokens,
    reasoningTokens: s.sumReasoningTokens,
    costNanos: s.sumCostNanos,
    executionTime: s.sumExecutionTime,
  };
}

/** The human-readable report: header, totals, averages, model breakdown, rankings. */
export function statsText(report: StatsReport, maxWidth?: number, zone = "UTC"): string[] {
  const { totals: t, period, converted: c } = report;
  const display = c?.currency;
  const cost = (nanos: bigint, units: bigint | undefined) => moneyText(nanos, display, units);
  const tagged = report.tags ? Object.entries(report.tags).map(([k, v]) => `, ${k}=${visibleText(v)}`).join("") : "";
  const session = (report.session === undefined ? "" : `, session ${visibleText(report.session)}`) + tagged;
  const date = (instant: Date) => (zone === "UTC" ? utcDate(instant) : Object.values(dayIn(instant, zone)).map((n, i) => String(n).padStart(i ? 2 : 4, "0")).join("-"));
  const shownZone = zone === "UTC" ? "" : ` ${zone}`;
  const lines = ["", `=== ${period.label} Stats (${date(period.start)} to ${date(period.end)}${shownZone}${session})`, ""];
  const metric = [{ header: "Metric" }, { header: "Value", align: "right" as const }];
  lines.push(
    ...renderTable(metric, [
      ["Requests", tokens(t.requests)],
      ["Prompt Tokens", tokens(t.sumPromptTokens)],
      ["Completion Tokens", tokens(t.sumCompletionTokens)],
      ["Total Tokens", tokens(t.sumTotalTokens)],
      [costHeader("Total Cost", display), cost(t.sumCostNanos, c?.totalCost)],
      ["Total Execution Time", seconds(t.sumExecutionTime)],
    ], { title: "Overall Totals", maxWidth }),
    "",
    ...renderTable(metric, [
      ["Prompt Tokens", tokens(t.avgPromptTokens)],
      ["Completion Tokens", tokens(t.avgCompletionTokens)],
      ["Total Tokens", tokens(t.avgTotalTokens)],
      [costHeader("Average Cost", display), cost(t.requests ? t.sumCostNanos / BigInt(t.requests) : 0n, c?.averageCost)],
      ["Average Execution Time", seconds(t.avgExecutionTime)],
    ], { title: "Averages", maxWidth }),
  );
  if (report.models.length > 0) {
    const right = "right" as const;
    lines.push(
      "",
      ...renderTable(
        [{ header: "Model" }, { header: "Requests", align: right }, { header: "Prompt Tokens", align: right }, { header: "Completion Tokens", align: right }, { header: "Total Tokens", align: right }, { header: costHeader("Cost", display), align: right }, { header: "Execution Time", align: right }],
        report.models.map(({ model, stats: s }) => [model, tokens(s.requests), tokens(s.sumPromptTokens), tokens(s.sumCompletionTokens), tokens(s.sumTotalTokens), cost(s.sumCostNanos, c?.models.get(model)), seconds(s.sumExecutionTime)]),
        { title: "Model Breakdown", maxWidth },
      ),
    );
  }
  const ranking = (title: string, list: readonly RankedModel[], show: (v: number) => string) => {
    if (list.length === 0) return;
    lines.push("", ...renderTable([{ header: "Rank", align: "right" }, { header: "Model" }, { header: "Total", align: "right" }], list.map((r, i) => [String(i + 1), r.model, show(r.value)]), { title, maxWidth }));
  };
  if (report.breakdown && report.breakdown.groups.length > 0) {
    const right = "right" as const;
    const by = report.breakdown.by;
    const title = by.startsWith("tag:") ? `Tag ${by.slice(4)}` : BY_TITLES[by as UsageDimension];
    // Shares of what is shown: converted amounts when converting (rates may differ between days).
    const shownCost = (g: GroupUsageTotals) => (c?.groups ? (c.groups.get(g.key) ?? 0n) : g.costNanos);
    const totalCost = report.breakdown.groups.reduce((sum, g) => sum + shownCost(g), 0n);
    lines.push(
      "",
      ...renderTable(
        [{ header: title }, { header: "Requests", align: right }, { header: "Total Tokens", align: right }, { header: costHeader("Cost", display), align: right }, { header: "Share", align: right }],
        report.breakdown.groups.map((g) => [g.key ?? "-", tokens(g.requests), tokens(g.totalTokens), cost(g.costNanos, c?.groups?.get(g.key)), totalCost === 0n ? "-" : `${(Number(((shownCost(g) * 2000n) / totalCost + 1n) / 2n) / 10).toFixed(1)}%`]),
        { title: `Usage by ${title}`, maxWidth },
      ),
    );
  }
  ranking("Rankings by Prompt Tokens", report.rankings.promptTokens, tokens);
  if (c) {
    // Ranked by the converted amounts: with rates that change over the range the order can differ from USD's.
    const byConverted = [...c.models].filter(([, units]) => units > 0n).sort(([a, x], [b, y]) => (y > x ? 1 : y < x ? -1 : a < b ? -1 : 1));
    if (byConverted.length > 0) lines.push("", ...renderTable([{ header: "Rank", align: "right" }, { header: "Model" }, { header: "Total", align: "right" }], byConverted.map(([model, units], i) => [String(i + 1), model, moneyText(0n, display, units)]), { title: `Rankings by Cost (${c.currency})`, maxWidth }));
  } else ranking("Rankings by Cost", report.rankings.cost, (usd) => money(usdToNanos(usd)));
  return lines;
}

const BY_COLUMNS: Readonly<Record<string, UsageDimension>> = {
  model: "model",
  username: "username",
  user: "username",
  callerName: "callerName",
  caller: "callerName",
  project: "project",
  session: "session",
  "service-tier": "serviceTier",
  serviceTier: "serviceTier",
  tier: "serviceTier",
};
const BY_TITLES: Readonly<Record<UsageDimension, string>> = { model: "Model", username: "User", callerName: "Caller", project: "Project", session: "Session", serviceTier: "Service Tier" };

/** `--by`: a column (`caller` and `user` are the words people type) or `tag:<key>`. */
function byColumnOrTag(value: unknown): UsageDimension | `tag:${string}` | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (text.startsWith("tag:")) {
    try {
      return `tag:${checkTagKey(text.slice(4), "--by tag:")}`;
    } catch (error) {
      throw error instanceof ValidationError ? new UsageError(error.message) : error;
    }
  }
  const column = BY_COLUMNS[text];
  if (!column) throw new UsageError(`--by must be one of model, user, caller, project, session, service-tier or tag:<key> (got "${text}")`);
  return column;
}

/** `llm-accounting stats`. */
export function statsCommand(ctx: CommandContext): CommandModule<GlobalArgs, StatsArgs> {
  return {
    command: "stats",
    describe: "Usage totals, averages, per-model breakdown and rankings for a period",
    builder: (yargs: Argv<GlobalArgs>) =>
      yargs
        .option("period", { choices: ["daily", "weekly", "monthly", "yearly"] as const, describe: "Period up to now (days in --timezone, default UTC)" })
        .option("daily", { type: "boolean", describe: "Same as --period daily" })
        .option("weekly", { type: "boolean", describe: "Same as --period weekly" })
        .option("monthly", { type: "boolean", describe: "Same as --period monthly" })
        .option("yearly", { type: "boolean", describe: "Same as --period yearly" })
        .option("since", { type: "string", describe: "Start of a custom range: YYYY-MM-DD, an ISO instant, 7d, 24h, 30m, today or yesterday (days in --timezone)", coerce: timeBound("since", "start", ctx.io.now) })
        .option("until", { type: "string", describe: "End of a custom range, included (a day counts whole); default now", coerce: timeBound("until", "end", ctx.io.now) })
        .option("start", { type: "string", describe: "Same as --since", coerce: timeBound("start", "start", ctx.io.now) })
        .option("end", { type: "string", describe: "Same as --until", coerce: timeBound("end", "end", ctx.io.now) })
        .option("session", { type: "string", describe: "Only usage of this session" })
        // `caller` and `user` are the words people type (`--by caller` shows claude-code and codex apart).
        .option("by", {
          type: "string",
          coerce: byColumnOrTag,
          describe: "Add a breakdown by this column (model, user, caller, project, session, service-tier) or by a tag's values (tag:<key>)",
        })
        .option("tag", { type: "string", array: true, describe: "Only usage with this tag (key=value; repeat for several)", coerce: tagFlags("tag") })
        .option("format", formatOption(LIST_FORMATS, "table", "Output format (csv and ndjson: one row per model, or per group with --by)"))
        .options(currencyOptions)
        // One period per report: two shorthands used to pick one silently.
        .conflicts({ since: "start", until: "end", period: ["daily", "weekly", "monthly", "yearly"], daily: ["weekly", "monthly", "yearly"], weekly: ["monthly", "yearly"], monthly: "yearly" }) as unknown as Argv<StatsArgs>,
    handler: (args) =>
      runHandler(ctx, () => {
        const display = displayCurrency(args, ctx.io);
        return withAccounting(ctx, args, (accounting) => handleStats(accounting, args, ctx.io, display), { readOnly: true });
      }),
  };
}
