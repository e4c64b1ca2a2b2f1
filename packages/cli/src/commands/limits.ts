import { INTERVAL_UNITS, LIMIT_SCOPES, LIMIT_TYPES, usageForecastJson, visibleText, type Accounting, type LimitScope, type UsageLimit } from "@llm-accounting/core";
import { alertPercents } from "../alerts/alert-options.js";
import type { Argv, CommandModule } from "yargs";
import type { GlobalArgs } from "../context/global-options.js";
import { formatOption } from "../context/format-option.js";
import { integer } from "../context/parse-values.js";
import { UsageError } from "../errors.js";
import { toJson } from "../format/json.js";
import { RESULT_FORMATS, TEXT_OR_LIST_FORMATS, writeListing, type ListFormat } from "../format/output.js";
import { renderTable } from "../format/table.js";
import { println, type CliIo } from "../io.js";
import { runHandler, withAccounting, type CommandContext } from "./command-context.js";
import { withHelp } from "./help.js";
import { limitTagFlag, tagText } from "../context/limit-tag-flag.js";

/** Selector flags shared by `limits set` and `limits list`. */
interface SelectorArgs {
  model?: string;
  username?: string;
  callerName?: string;
  /** The limit's project (`--project`, or its alias `--project-name`), not the default project of `track`. */
  project?: string;
}

/** Parsed `limits set` arguments. */
export interface LimitsSetArgs extends GlobalArgs, SelectorArgs {
  scope: LimitScope;
  limitType: (typeof LIMIT_TYPES)[number];
  maxValue: number;
  intervalUnit: (typeof INTERVAL_UNITS)[number];
  intervalValue: number;
  /** Alert thresholds as fractions (parsed from percent). */
  alertAt?: number[];
  /** TAG scope: the one `--tag key=value` (value `*`: any value). */
  tag?: { key: string; value: string };
  format: "text" | "json";
}

/** Parsed `limits list` arguments. */
export interface LimitsListArgs extends GlobalArgs, SelectorArgs {
  scope?: LimitScope;
  format: ListFormat;
}

/** Parsed `limits delete` arguments. */
export interface LimitsDeleteArgs extends GlobalArgs {
  id: number;
}

/** A number as Python prints a float (`5.0`, `-1.0`, `100.5`), as the original's list output does. */
export const pythonFloat = (value: number): string => (Number.isInteger(value) ? value.toFixed(1) : String(value));

/** Thresholds as people read them: `50%, 80%, 100%`. */
const percents = (alertAt: readonly number[]): string => alertAt.map((t) => `${Math.round(t * 10_000) / 100}%`).join(", ");

/** One line of `limits list`, in the original's format (plus the alert thresholds, when the limit has some). */
export function limitLine(limit: UsageLimit): string {
  const details = [
    limit.model && `Model: ${visibleText(limit.model)}`,
    limit.username && `User: ${visibleText(limit.username)}`,
    limit.callerName && `Caller: ${visibleText(limit.callerName)}`,
    limit.projectName && `Project: ${visibleText(limit.projectName)}`,
    limit.tag && `Tag: ${visibleText(tagText(limit.tag))}`,
  ].filter(Boolean);
  const scope = details.length ? `${limit.scope} (${details.join(", ")})` : limit.scope;
  const alerts = limit.alertAt?.length ? `, Alerts at: ${percents(limit.alertAt)}` : "";
  return `  ID: ${limit.id}, Scope: ${scope}, Type: ${limit.limitType}, Max Value: ${pythonFloat(limit.maxValue)}, Interval: ${limit.intervalValue} ${limit.intervalUnit}${alerts}`;
}

/** The `limits list --format table` lines. */
export function limitsTable(limits: readonly UsageLimit[]): string[] {
  const right = "right" as const;
  // The Tag and Alerts columns only when some limit has one: tables of stores without them stay as they were.
  const tags = limits.some((l) => l.tag);
  const alerts = limits.some((l) => l.alertAt?.length);
  return renderTable(
    [{ header: "ID", align: right }, { header: "Scope" }, { header: "Type" }, { header: "Max Value", align: right }, { header: "Interval" }, { header: "Model" }, { header: "User" }, { header: "Caller" }, { header: "Project" }, ...(tags ? [{ header: "Tag" }] : []), ...(alerts ? [{ header: "Alerts" }] : [])],
    limits.map((l) => [
      String(l.id), l.scope, l.limitType, String(l.maxValue), `${l.intervalValue} ${l.intervalUnit}`, l.model ?? "-", l.username ?? "-", l.callerName ?? "-", l.projectName ?? "-",
      ...(tags ? [l.tag ? tagText(l.tag) : "-"] : []),
      ...(alerts ? [l.alertAt?.length ? percents(l.alertAt) : "-"] : []),
    ]),
    { title: "Usage Limits" },
  );
}

/** Stores a limit. */
export async function handleLimitsSet(accounting: Accounting, args: LimitsSetArgs, io: CliIo): Promise<UsageLimit> {
  const limit = await accounting.setUsageLimit({
    scope: args.scope,
    limitType: args.limitType,
    maxValue: args.maxValue,
    intervalUnit: args.intervalUnit,
    intervalValue: args.intervalValue,
    model: args.model ?? null,
    username: args.username ?? null,
    callerName: args.callerName ?? null,
    projectName: args.project ?? null,
    ...(args.tag !== undefined && { tag: args.tag }),
    ...(args.alertAt !== undefined && { alertAt: args.alertAt }),
  });
  println(io, args.format === "json" ? toJson(limit) : "Usage limit set successfully.");
  return limit;
}

/** Each limit with its forecast (burn rate, projected usage, when the limit is reached), for JSON output. */
async function withForecasts(accounting: Accounting, limits: readonly UsageLimit[]): Promise<unknown[]> {
  const status = new Map((await accounting.getLimitStatus()).map((s) => [s.limit.id, s]));
  return limits.map((limit) => {
    const s = status.get(limit.id);
    return { ...limit, used: s?.used ?? null, forecast: s?.forecast ? usageForecastJson(s.forecast) : null };
  });
}

/** Lists limits matching the filters; json, ndjson and csv add each limit's usage and forecast. */
export async function handleLimitsList(accounting: Accounting, args: LimitsListArgs, io: CliIo): Promise<UsageLimit[]> {
  const limits = await accounting.getUsageLimits({
    scope: args.scope,
    model: args.model,
    username: args.username,
    callerName: args.callerName,
    projectName: args.project,
  });
  const none = ["No usage limits found matching the criteria."];
  const records = args.format === "text" || args.format === "table" ? limits : await withForecasts(accounting, limits);
  await writeListing<unknown>(io, args.format, records, {
    text: () => (limits.length === 0 ? none : ["Configured Usage Limits:", ...limits.map(limitLine)]),
    table: () => (limits.length === 0 ? none : limitsTable(limits)),
  });
  return limits;
}

/** Deletes a limit by id (an unknown id is an error, unlike the original). */
export async function handleLimitsDelete(accounting: Accounting, args: LimitsDeleteArgs, io: CliIo): Promise<void> {
  await accounting.deleteUsageLimit(args.id);
  println(io, `Usage limit with ID ${args.id} deleted successfully.`);
}

const selectorOptions = (yargs: Argv<GlobalArgs>, verb: string) =>
  yargs
    .option("model", { type: "string", describe: `Model the limit ${verb} (* = every model, pooled)` })
    .option("username", { type: "string", describe: `User the limit ${verb} (* = every user, pooled)` })
    .option("caller-name", { type: "string", describe: `Caller the limit ${verb} (* = every caller, pooled)` })
    // --project as every other command spells it; --project-name, the original's spelling, stays as an alias.
    .option("project", { alias: "project-name", type: "string", describe: `Project the limit ${verb} (required for PROJECT scope)` })
    // The global --project-name (a default for tracked calls) would otherwise lend its help text.
    .describe("project-name", `Project the limit ${verb} (required for PROJECT scope)`);

const positiveNumber = (flag: string) => (value: unknown): number | undefined => {
  if (value === undefined) return undefined;
  const parsed = Number(String(value).trim());
  if (String(value).trim() === "" || !Number.isFinite(parsed)) throw new UsageError(`--${flag} must be a number (got "${String(value)}")`);
  return parsed;
};

/** `llm-accounting limits set|list|delete`. */
export function limitsCommand(ctx: CommandContext): CommandModule<GlobalArgs, GlobalArgs> {
  const set: CommandModule<GlobalArgs, LimitsSetArgs> = {
    command: "set",
    describe: "Add a usage limit",
    builder: (yargs) =>
      selectorOptions(yargs, "applies to")
        .option("scope", { choices: LIMIT_SCOPES, demandOption: true, describe: "Limit scope" })
        .option("limit-type", { choices: LIMIT_TYPES, demandOption: true, describe: "What the limit counts" })
        .option("max-value", { type: "string", number: true, demandOption: true, describe: "Maximum per window (USD for cost); -1 unlimited, 0 deny", coerce: positiveNumber("max-value") })
        .option("interval-unit", { choices: INTERVAL_UNITS, demandOption: true, describe: "Window unit (*_rolling: sliding windows)" })
        .option("interval-value", { type: "string", number: true, demandOption: true, describe: "Units per window (>= 1)", coerce: integer("interval-value") })
        .option("tag", { type: "string", describe: "TAG scope: the tag the limit is about, key=value (key=* pools every value of the key)", coerce: limitTagFlag("tag") })
        .option("alert-at", { type: "string", describe: "Raise an alert when usage in a window reaches these percentages of the maximum (e.g. 50,80,100)", defaultDescription: "--default-alert-at, else none", coerce: alertPercents("alert-at") })
        .option("format", formatOption(RESULT_FORMATS, "text")) as unknown as Argv<LimitsSetArgs>,
    handler: (args) => runHandler(ctx, () => withAccounting(ctx, args, (accounting) => handleLimitsSet(accounting, args, ctx.io))),
  };
  const list: CommandModule<GlobalArgs, LimitsListArgs> = {
    command: "list",
    describe: "List usage limits",
    builder: (yargs) =>
      selectorOptions(yargs, "is about")
        .option("scope", { choices: LIMIT_SCOPES, describe: "Only this scope" })
        .option("format", formatOption(TEXT_OR_LIST_FORMATS, "text", "Output format (text: one line per limit; csv and ndjson: one row per limit)")),
    handler: (args) => runHandler(ctx, () => withAccounting(ctx, args, (accounting) => handleLimitsList(accounting, args, ctx.io), { readOnly: true })),
  };
  const del: CommandModule<GlobalArgs, LimitsDeleteArgs> = {
    command: "delete",
    describe: "Delete a usage limit by id",
    builder: (yargs) => yargs.option("id", { type: "string", number: true, demandOption: true, describe: "Limit id (see limits list)", coerce: integer("id") }) as unknown as Argv<LimitsDeleteArgs>,
    handler: (args) => runHandler(ctx, () => withAccounting(ctx, args, (accounting) => handleLimitsDelete(accounting, args, ctx.io))),
  };
  return {
    command: "limits",
    describe: "Manage usage limits (set, list, delete)",
    builder: (yargs) => yargs.command(withHelp(set, "limits set")).command(withHelp(list, "limits list")).command(withHelp(del, "limits delete")).demandCommand(1, "Choose a limits command: set, list or delete"),
    handler: () => undefined,
  };
}
