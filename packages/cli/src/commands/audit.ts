import { AuditLogger } from "@llm-accounting/audit";
import { visibleText, type AuditEntry } from "@llm-accounting/core";
import type { Argv, CommandModule } from "yargs";
import type { GlobalArgs } from "../context/global-options.js";
import { formatOption } from "../context/format-option.js";
import { auditStoreFor } from "../context/open-accounting.js";
import { integer, timestamp } from "../context/parse-values.js";
import { rangeBounds, timeBound } from "../context/time-bound.js";
import { utcDateTime } from "../format/numbers.js";
import { LIST_FORMATS, writeListing, type ListFormat } from "../format/output.js";
import { renderTable } from "../format/table.js";
import { println, type CliIo } from "../io.js";
import { runHandler, type CommandContext } from "./command-context.js";

/** Parsed `log-event` arguments. */
export interface LogEventArgs extends GlobalArgs {
  appName: string;
  userName: string;
  model: string;
  logType: string;
  promptText?: string;
  responseText?: string;
  remoteCompletionId?: string;
  project?: string;
  session?: string;
  timestamp?: Date;
}

/** Parsed `audit` arguments. */
export interface AuditArgs extends GlobalArgs {
  since?: Date;
  until?: Date;
  /** Older spelling of `since`. */
  start?: Date;
  /** Older spelling of `until`. */
  end?: Date;
  project?: string;
  logType?: string;
  session?: string;
  limit: number;
  format: ListFormat;
}

/** Runs `work` with an audit logger on the audit store the global options name. */
async function withAuditLogger<T>(args: GlobalArgs, io: CliIo, work: (logger: AuditLogger) => Promise<T>, readOnly = false): Promise<T> {
  const logger = new AuditLogger(await auditStoreFor(args, io.env, readOnly), { now: io.now });
  try {
    return await work(logger);
  } finally {
    await logger.close();
  }
}

/** Records the event `args` describe in the audit log. */
export async function handleLogEvent(logger: AuditLogger, args: LogEventArgs, io: CliIo): Promise<void> {
  await logger.logEvent({
    appName: args.appName,
    userName: args.userName,
    model: args.model,
    logType: args.logType,
    promptText: args.promptText ?? null,
    responseText: args.responseText ?? null,
    remoteCompletionId: args.remoteCompletionId ?? null,
    project: args.project ?? null,
    session: args.session ?? null,
    timestamp: args.timestamp ?? null,
  });
  println(io, `Successfully logged event for app '${visibleText(args.appName)}' and user '${visibleText(args.userName)}'.`);
}

/** `llm-accounting log-event`: records a prompt, response or other event in the audit log. */
export function logEventCommand(ctx: CommandContext): CommandModule<GlobalArgs, LogEventArgs> {
  return {
    command: "log-event",
    describe: "Record a prompt, response or other event in the audit log",
    builder: (yargs: Argv<GlobalArgs>) =>
      yargs
        .option("app-name", { type: "string", demandOption: true, describe: "Application" })
        .option("user-name", { type: "string", demandOption: true, describe: "User" })
        // The audit log's model column is NOT NULL (as in the original); "-" is what tables show for "none".
        .option("model", { type: "string", default: "-", describe: "Model; \"-\" when the event concerns none" })
        .option("log-type", { type: "string", demandOption: true, describe: "prompt, response, event or your own" })
        .option("prompt-text", { type: "string", describe: "Prompt text" })
        .option("response-text", { type: "string", describe: "Response text" })
        .option("remote-completion-id", { type: "string", describe: "The provider's completion id" })
        .option("project", { type: "string", describe: "Project" })
        .option("session", { type: "string", describe: "Session id" })
        .option("timestamp", { type: "string", describe: "ISO-8601 or YYYY-MM-DD HH:MM:SS (UTC); default now", coerce: timestamp("timestamp") }) as unknown as Argv<LogEventArgs>,
    handler: (args) => runHandler(ctx, () => withAuditLogger(args, ctx.io, (logger) => handleLogEvent(logger, args, ctx.io))),
  };
}

/** The `audit` table. */
function auditTable(entries: readonly AuditEntry[], maxWidth: number | undefined): string[] {
  if (entries.length === 0) return ["No audit entries found"];
  const text = (s: string | null) => (s === null ? "-" : s.replace(/\s+/g, " "));
  return renderTable(
    ["Timestamp", "Type", "App", "User", "Model", "Project", "Session", "Text"].map((header) => ({ header })),
    entries.map((e) => [utcDateTime(e.timestamp), e.logType, e.appName, e.userName, e.model, text(e.project), text(e.session), text(e.promptText ?? e.responseText)]),
    { title: `Last ${entries.length} Audit Entries`, maxWidth },
  );
}

/** Lists the audit entries `args` select, newest first. */
export async function handleAudit(logger: AuditLogger, args: AuditArgs, io: CliIo): Promise<void> {
  const { since, until } = rangeBounds(args);
  const entries = await logger.getEntries({
    start: since,
    end: until,
    appName: args.appName,
    userName: args.userName,
    project: args.project,
    logType: args.logType,
    session: args.session,
    limit: Math.max(0, args.limit),
  });
  await writeListing(io, args.format, entries, { table: () => auditTable(entries, io.stdout.isTTY ? io.stdout.columns : 160) });
}

/** `llm-accounting audit`: lists audit log entries, newest first. */
export function auditCommand(ctx: CommandContext): CommandModule<GlobalArgs, AuditArgs> {
  return {
    command: "audit",
    describe: "List audit log entries, newest first (--app-name and --user-name filter)",
    builder: (yargs: Argv<GlobalArgs>) =>
      yargs
        .option("since", { type: "string", describe: "From: YYYY-MM-DD, an ISO instant, 7d, 24h, 30m, today or yesterday (UTC)", coerce: timeBound("since", "start", ctx.io.now) })
        .option("until", { type: "string", describe: "Up to, included (a day counts whole)", coerce: timeBound("until", "end", ctx.io.now) })
        .option("start", { type: "string", describe: "Same as --since", coerce: timeBound("start", "start", ctx.io.now) })
        .option("end", { type: "string", describe: "Same as --until", coerce: timeBound("end", "end", ctx.io.now) })
        .option("project", { type: "string", describe: "Only this project" })
        .option("log-type", { type: "string", describe: "Only this type" })
        .option("session", { type: "string", describe: "Only this session" })
        .option("limit", { alias: "n", type: "string", number: true, default: 20, describe: "At most this many", coerce: integer("limit") })
        .option("format", formatOption(LIST_FORMATS, "table", "Output format (csv and ndjson: one row per entry)"))
        .conflicts({ since: "start", until: "end" }) as unknown as Argv<AuditArgs>,
    handler: (args) => runHandler(ctx, () => withAuditLogger(args, ctx.io, (logger) => handleAudit(logger, args, ctx.io), true)),
  };
}
