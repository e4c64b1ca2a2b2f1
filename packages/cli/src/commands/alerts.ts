import { alertJson, type Accounting, type AlertDeliveryState, type StoredAlert } from "@llm-accounting/core";
import type { Argv, CommandModule } from "yargs";
import type { GlobalArgs } from "../context/global-options.js";
import { formatOption } from "../context/format-option.js";
import { integer } from "../context/parse-values.js";
import { UsageError } from "../errors.js";
import { LIST_FORMATS, writeListing, type ListFormat } from "../format/output.js";
import { renderTable } from "../format/table.js";
import { println, type CliIo } from "../io.js";
import { runHandler, withAccounting, type CommandContext } from "./command-context.js";
import { withHelp } from "./help.js";

const STATES = ["pending", "delivered", "failed"] as const satisfies readonly AlertDeliveryState[];

/** Parsed `alerts list` arguments. */
export interface AlertsListArgs extends GlobalArgs {
  number: number;
  state?: AlertDeliveryState;
  format: ListFormat;
}

/** A number as a table shows it: at most 4 decimals, no trailing zeros. */
const amount = (value: number): string => String(Math.round(value * 10_000) / 10_000);

/** The `alerts list --format table` lines. */
export function alertsTable(alerts: readonly StoredAlert[]): string[] {
  const right = "right" as const;
  return renderTable(
    [{ header: "ID", align: right }, { header: "When" }, { header: "Limit", align: right }, { header: "Scope" }, { header: "Type" }, { header: "At", align: right }, { header: "Usage", align: right }, { header: "Projected", align: right }, { header: "Max", align: right }, { header: "Window" }, { header: "Delivery" }],
    alerts.map((a) => [
      String(a.id),
      a.createdAt.toISOString().slice(0, 19).replace("T", " "),
      String(a.limitId),
      a.scope,
      a.limitType,
      `${Math.round(a.threshold * 10_000) / 100}%`,
      amount(a.usage),
      amount(a.projectedUsage),
      amount(a.maxValue),
      `${a.intervalValue} ${a.intervalUnit}`,
      a.deliveryState === "pending" && a.attempts > 0 ? `pending (${a.attempts} tried)` : a.deliveryState,
    ]),
    { title: "Alerts" },
  );
}

/** Lists alerts, newest first, with their delivery state. */
export async function handleAlertsList(accounting: Accounting, args: AlertsListArgs, io: CliIo): Promise<StoredAlert[]> {
  const alerts = await accounting.listAlerts({ limit: args.number, ...(args.state && { state: args.state }) });
  await writeListing<unknown>(io, args.format, alerts.map(alertJson), {
    table: () => (alerts.length === 0 ? ["No alerts."] : alertsTable(alerts)),
  });
  return alerts;
}

/** Delivers the due pending alerts to --alert-webhook and --alert-command, once. */
export async function handleAlertsDeliver(accounting: Accounting, args: GlobalArgs, io: CliIo): Promise<void> {
  if (!args.alertWebhook && !args.alertCommand) throw new UsageError("alerts deliver needs --alert-webhook or --alert-command (or alertWebhook / alertCommand in the config file)");
  const summary = await accounting.deliverAlerts();
  const retry = summary.nextAttemptAt ? ` (next retry at ${summary.nextAttemptAt.toISOString()})` : "";
  println(io, `Delivered ${summary.delivered}, to retry ${summary.retrying}${retry}, failed ${summary.failed}.`);
  if (summary.retrying > 0 || summary.failed > 0) throw new AlertsUndeliveredError(summary.retrying + summary.failed);
}

/** Some alerts could not be delivered this time (exit 1, after the summary line). */
export class AlertsUndeliveredError extends Error {
  constructor(count: number) {
    super(`${count} alert${count === 1 ? "" : "s"} not delivered (see alerts list)`);
  }
}

/** `llm-accounting alerts list|deliver`. */
export function alertsCommand(ctx: CommandContext): CommandModule<GlobalArgs, GlobalArgs> {
  const list: CommandModule<GlobalArgs, AlertsListArgs> = {
    command: "list",
    describe: "List alerts (thresholds crossed), newest first, with their delivery state",
    builder: (yargs) =>
      yargs
        .option("number", { alias: "n", type: "string", number: true, default: 20, describe: "How many", coerce: integer("number") })
        .option("state", { choices: STATES, describe: "Only alerts in this delivery state" })
        .option("format", formatOption(LIST_FORMATS, "table"))
        .check((args) => {
          if ((args.number as number) < 1) throw new UsageError(`--number must be a positive integer (got ${args.number})`);
          return true;
        }) as unknown as Argv<AlertsListArgs>,
    handler: (args) => runHandler(ctx, () => withAccounting(ctx, args, (accounting) => handleAlertsList(accounting, args, ctx.io), { readOnly: true })),
  };
  const deliver: CommandModule<GlobalArgs, GlobalArgs> = {
    command: "deliver",
    describe: "Deliver pending alerts that are due to --alert-webhook / --alert-command (for cron); exit 1 if any is left undelivered",
    builder: (yargs) => yargs,
    handler: (args) => runHandler(ctx, () => withAccounting(ctx, args, (accounting) => handleAlertsDeliver(accounting, args, ctx.io))),
  };
  return {
    command: "alerts",
    describe: "Budget alerts (list, deliver)",
    builder: (yargs) => yargs.command(withHelp(list, "alerts list")).command(withHelp(deliver, "alerts deliver")).demandCommand(1, "Choose an alerts command: list or deliver"),
    handler: () => undefined,
  };
}
