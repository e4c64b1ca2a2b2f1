import type { AgentImportSummary } from "@llm-accounting/agent-logs";
import type { Argv, CommandModule } from "yargs";
import type { GlobalArgs } from "../context/global-options.js";
import { formatOption } from "../context/format-option.js";
import { RESULT_FORMATS } from "../format/output.js";
import { ValidationError, visibleText } from "@llm-accounting/core";
import { UsageError } from "../errors.js";
import { toJson } from "../format/json.js";
import { progressReporter } from "../format/progress.js";
import { println } from "../io.js";
import { runHandler, withAccounting, type CommandContext } from "./command-context.js";
import { handleAgentImport } from "./import-agent.js";
import { importExportedRecords, readExportedRecords } from "./import-export.js";
import { DeferredPricer, openPythonImport, type ImportSummary } from "../context/open-accounting.js";

/** Parsed `import` arguments. */
export interface ImportArgs extends GlobalArgs {
  fromSqlite?: string;
  fromPostgresql?: string;
  /** A config directory, or "" for the defaults (the flag given without a value). */
  fromClaudeCode?: string;
  fromCodex?: string;
  /** A file `tail --format ndjson|json` wrote (from any store). */
  fromExport?: string;
  watch: boolean;
  format: "text" | "json";
}

/** Copies a Python llm-accounting database, or a coding agent's logs, into the configured store. */
export async function handleImport(ctx: CommandContext, args: ImportArgs): Promise<ImportSummary | AgentImportSummary | { usage: number } | undefined> {
  const sources = [args.fromSqlite, args.fromPostgresql, args.fromClaudeCode, args.fromCodex, args.fromExport].filter((s) => s !== undefined);
  if (sources.length !== 1) {
    throw new UsageError("give exactly one of --from-sqlite FILE, --from-postgresql URL, --from-claude-code [DIR], --from-codex [DIR] or --from-export FILE");
  }
  if (args.watch && args.fromClaudeCode === undefined && args.fromCodex === undefined) {
    throw new UsageError("--watch applies to --from-claude-code and --from-codex only");
  }
  if (args.fromClaudeCode !== undefined || args.fromCodex !== undefined) {
    const agent = args.fromClaudeCode !== undefined ? "claude-code" : "codex";
    const dir = (args.fromClaudeCode ?? args.fromCodex) || undefined;
    // Priced like `track`: stored prices, then the catalog (unless --no-catalog-prices), loaded only once there is a call to price.
    const pricer = new DeferredPricer(args.catalogPrices !== false);
    return withAccounting(ctx, args, (accounting) => handleAgentImport(accounting, ctx.io, agent, dir, { watch: args.watch, format: args.format, beforePricing: () => pricer.load() }), { pricer });
  }
  if (args.fromExport !== undefined) {
    // Read and checked whole before the store is opened: a bad line stores nothing.
    const records = readExportedRecords(args.fromExport);
    const usage = await withAccounting(ctx, args, (accounting) => importExportedRecords(accounting, records));
    if (args.format === "json") println(ctx.io, toJson({ usage }));
    else println(ctx.io, `Imported ${usage} usage entries from ${visibleText(args.fromExport)}`);
    return { usage };
  }
  if (args.fromPostgresql !== undefined && !/^postgres(ql)?:\/\//.test(args.fromPostgresql)) {
    throw new UsageError("--from-postgresql must be a postgresql://user:password@host:port/database URL");
  }
  const source = await openPythonImport({ sqliteFile: args.fromSqlite, postgresqlUrl: args.fromPostgresql });
  const progress = progressReporter(ctx.io);
  try {
    const summary = await withAccounting(ctx, args, (accounting) => source.copyInto(accounting.store, progress.update)).catch((error: unknown) => {
      // The importer names its input "source"; the user typed one of two flags.
      if (error instanceof ValidationError && error.field === "source") throw new ValidationError(args.fromSqlite !== undefined ? "fromSqlite" : "fromPostgresql", error.reason.trim());
      throw error;
    });
    if (args.format === "json") println(ctx.io, toJson(summary));
    else println(ctx.io, `Imported from ${visibleText(source.description)}: ${Object.entries(summary).map(([table, n]) => `${n} ${table}`).join(", ")}`);
    return summary;
  } finally {
    progress.end();
    await source.close();
  }
}

/** `llm-accounting import`. */
export function importCommand(ctx: CommandContext): CommandModule<GlobalArgs, ImportArgs> {
  return {
    command: "import",
    describe: "Copy a database of the Python llm-accounting, Claude Code / Codex logs (safe to rerun), or a tail export, into this store",
    builder: (yargs: Argv<GlobalArgs>) =>
      yargs
        .option("from-sqlite", { type: "string", describe: "The Python tool's SQLite file" })
        .option("from-postgresql", { type: "string", describe: "The Python tool's PostgreSQL URL" })
        .option("from-claude-code", { type: "string", describe: "Claude Code's logs: its config dir holding projects/ (default $CLAUDE_CONFIG_DIR, else ~/.config/claude and ~/.claude)" })
        .option("from-codex", { type: "string", describe: "Codex CLI's logs: its config dir holding sessions/ (default $CODEX_HOME, else ~/.codex)" })
        .option("from-export", { type: "string", describe: "A file tail --format ndjson or json wrote, from any store: its entries with their tags and exact costs (each run adds them again)" })
        .option("watch", { type: "boolean", default: false, describe: "With --from-claude-code/--from-codex: keep importing as the agent writes, until Ctrl-C" })
        .option("format", formatOption(RESULT_FORMATS, "text")),
    handler: (args) => runHandler(ctx, () => handleImport(ctx, args)),
  };
}
