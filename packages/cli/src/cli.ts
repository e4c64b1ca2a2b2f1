import yargs, { type Argv } from "yargs";
import { AccountingError, ValidationError, visibleText } from "@llm-accounting/core";
import { auditCommand, logEventCommand } from "./commands/audit.js";
import { checkCommand } from "./commands/check.js";
import { completionCommand } from "./commands/completion.js";
import { importCommand } from "./commands/import.js";
import { projectsCommand } from "./commands/projects.js";
import { usersCommand } from "./commands/users.js";
import { limitsCommand } from "./commands/limits.js";
import { alertsCommand } from "./commands/alerts.js";
import { migrateCommand } from "./commands/migrate.js";
import { pricesCommand } from "./commands/prices.js";
import { purgeCommand } from "./commands/purge.js";
import { reconcileCommand } from "./commands/reconcile.js";
import { repriceCommand } from "./commands/reprice.js";
import { selectCommand } from "./commands/select.js";
import { serveCommand } from "./commands/serve.js";
import { statsCommand } from "./commands/stats.js";
import { tailCommand } from "./commands/tail.js";
import { trackCommand } from "./commands/track.js";
import type { CommandContext } from "./commands/command-context.js";
import { addExamples, EXAMPLES, withHelp } from "./commands/help.js";
import { globalOptions, type GlobalArgs } from "./context/global-options.js";
import { resolveTimeBounds } from "./context/time-bound.js";
import { withSettings } from "./context/settings.js";
import { EXIT, flagFor, UsageError } from "./errors.js";
import type { CliIo } from "./io.js";
import { storeErrorMessage } from "./store-error-message.js";
import { describeRecommendation, describeUnknownArguments } from "./usage-message.js";
import { CLI_VERSION } from "./version.js";

/** The top-level command names, for telling a mistyped command from a stray argument. */
const COMMANDS = ["track", "stats", "tail", "purge", "select", "limits", "check", "prices", "reprice", "reconcile", "projects", "users", "log-event", "audit", "import", "migrate", "serve", "completion"];

/** The message yargs fails with when no command is given; `runCli` answers it with the full help. */
const NO_COMMAND = "no command given";

/** Builds the yargs parser with every command; `scriptName` is `llm-accounting` or `llm-acct`, `epilogue` ends its help. */
export function buildCli(ctx: CommandContext, scriptName = "llm-accounting", version = CLI_VERSION, epilogue?: string): Argv<GlobalArgs> {
  const width = ctx.io.stdout.columns ?? 100;
  // yargs passes middleware its parser as a second argument, which @types/yargs 17 does not declare.
  const rememberOptionNames = (_argv: unknown, parser: { getOptions(): { key: Record<string, unknown> } }) => {
    ctx.optionNames = Object.keys(parser.getOptions().key);
  };
  const parser = yargs()
    .scriptName(scriptName)
    .usage(`${scriptName} [global options] <command> [options]\n\nRecord LLM usage, see where the money goes.`)
    .options(globalOptions)
    .group(Object.keys(globalOptions), "Global options:")
    .command(withHelp(trackCommand(ctx), "track"))
    .command(withHelp(statsCommand(ctx), "stats"))
    .command(withHelp(tailCommand(ctx), "tail"))
    .command(withHelp(purgeCommand(ctx), "purge"))
    .command(withHelp(selectCommand(ctx), "select"))
    .command(withHelp(limitsCommand(ctx), "limits"))
    .command(withHelp(alertsCommand(ctx), "alerts"))
    .command(withHelp(checkCommand(ctx), "check"))
    .command(withHelp(pricesCommand(ctx), "prices"))
    .command(withHelp(repriceCommand(ctx), "reprice"))
    .command(withHelp(reconcileCommand(ctx), "reconcile"))
    .command(withHelp(projectsCommand(ctx), "projects"))
    .command(withHelp(usersCommand(ctx), "users"))
    .command(withHelp(logEventCommand(ctx), "log-event"))
    .command(withHelp(auditCommand(ctx), "audit"))
    .command(withHelp(importCommand(ctx), "import"))
    .command(withHelp(migrateCommand(ctx), "migrate"))
    .command(withHelp(serveCommand(ctx), "serve"))
    .command(withHelp(completionCommand(ctx, scriptName), "completion"))
    // Without a command nothing would happen; scripts must see that as a mistake, not success.
    .demandCommand(1, NO_COMMAND)
    // yargs fails with "Did you mean stats?" on a near miss; runCli adds the word that was typed.
    .recommendCommands()
    // Runs before validation in the innermost command, so an unknown option can be matched
    // against that command's own options.
    .middleware(rememberOptionNames as never, true)
    // Global options not on the command line come from the environment or the config file.
    .middleware(((argv: GlobalArgs) => Object.assign(argv, withSettings(argv, ctx.io.env, process.cwd()))) as never)
    // --since/--until/--before become instants once --timezone is known (after validation).
    .middleware(resolveTimeBounds(ctx.io.now) as never)
    .strict()
    .version(`${scriptName} ${version}`)
    .help()
    .alias("h", "help")
    .wrap(Math.min(width, 120))
    .fail((message, error) => {
      // Only parsing reaches here (handlers record their errors in ctx), so this is a usage error.
      throw error instanceof AccountingError ? error : new UsageError(message ?? error?.message ?? "invalid arguments");
    });
  skipHelpRendering(parser);
  addExamples(parser, EXAMPLES[""] ?? []);
  // A program built on the CLI (llm-acct) says there what it does besides the commands; only then,
  // since even an empty epilogue adds a blank line to the help.
  return epilogue ? parser.epilogue(epilogue) : parser;
}

/**
 * yargs lays out a command's whole help before running its handler, in case the handler fails
 * and help is to be shown; that layout measures every line with string-width and costs a one-shot
 * command tens of milliseconds. We never show help on a failure (one error line instead), and
 * `--help` lays the help out anew, so the pre-rendering is turned off. Internal yargs API: if it
 * changes, nothing breaks, the command is only slower (test/startup.test.ts notices).
 */
function skipHelpRendering(parser: Argv<GlobalArgs>): void {
  const internals = (parser as unknown as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } }).getInternalMethods?.();
  const usage = internals?.getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === "function") usage.cacheHelpMessage = () => undefined;
}

/**
 * Runs the CLI on `argv` (without node and script) and resolves with the exit code:
 * 0 ok, 1 runtime error, 2 usage error, 3 quota denied, 4 a reconciliation beyond its tolerance. Prints, never exits the process.
 */
export async function runCli(argv: readonly string[], io: CliIo, scriptName = "llm-accounting", version = CLI_VERSION, epilogue?: string): Promise<number> {
  const ctx: CommandContext = { io, exitCode: EXIT.ok };
  try {
    let output = "";
    await buildCli(ctx, scriptName, version, epilogue).parseAsync(argv as string[], {}, (_err, _args, text) => {
      output = text;
    });
    if (output) io.stdout.write(`${output}\n`);
    if (ctx.error !== undefined) throw ctx.error;
    return ctx.exitCode;
  } catch (error) {
    const [code, described] = describeError(error);
    if (code === EXIT.usage && described === NO_COMMAND) {
      // The help goes to stderr so that `llm-accounting ... | jq` never parses it as output.
      io.stderr.write(`${await buildCli({ io, exitCode: EXIT.ok }, scriptName, version, epilogue).getHelp()}\n\n`);
    }
    const message =
      (code === EXIT.usage && (describeRecommendation(described, typedCommandWord(argv)) ?? describeUnknownArguments(described, argv, COMMANDS, ctx.optionNames))) || described;
    io.stderr.write(errorLine(code, message, scriptName));
    return code;
  }
}

/** The first word on the command line that is not a known top-level command: the mistyped (sub)command. */
function typedCommandWord(argv: readonly string[]): string | undefined {
  // Parsed with the global options, so a global option's value is not taken for a command.
  // Without their coercions: a bad value (--timezone Mars) is reported by the main parse already.
  const plain = Object.fromEntries(Object.entries(globalOptions).map(([name, { coerce: _coerce, ...option }]) => [name, option]));
  const words = yargs().options(plain).help(false).version(false).parseSync([...argv])._.map(String);
  return words.find((word) => !COMMANDS.includes(word));
}

/** The one line printed for an error; a usage error also says where the usage is. */
export function errorLine(code: number, message: string, scriptName: string): string {
  // Messages quote input and stored names (a model, a project): shown, never acted on.
  const shown = visibleText(message);
  return code === EXIT.usage ? `Error: ${shown} (see "${scriptName} --help")\n` : `Error: ${shown}\n`;
}

/** Maps an error to an exit code and a one-line message (no stack trace). */
export function describeError(error: unknown): [number, string] {
  const oneLine = (text: string) => text.split("\n").map((s) => s.trim()).filter(Boolean).join(" ");
  if (error instanceof UsageError) return [EXIT.usage, oneLine(error.message)];
  if (error instanceof ValidationError) return [EXIT.runtime, oneLine(`${flagFor(error.field)} ${error.reason.trim()}`)];
  if (error instanceof AccountingError) {
    return [EXIT.runtime, oneLine(error.message)];
  }
  if (error instanceof Error) return [EXIT.runtime, oneLine(storeErrorMessage(error) ?? error.message)];
  return [EXIT.runtime, oneLine(String(error))];
}
