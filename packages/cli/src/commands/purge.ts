import { AccountingError, visibleText, type Accounting } from "@llm-accounting/core";
import type { Argv, CommandModule } from "yargs";
import type { GlobalArgs } from "../context/global-options.js";
import { progressReporter } from "../format/progress.js";
import { println, type CliIo } from "../io.js";
import { openAccounting } from "../context/open-accounting.js";
import { timeBound } from "../context/time-bound.js";
import { utcDateTime } from "../format/numbers.js";
import { runHandler, type CommandContext } from "./command-context.js";

/** Parsed `purge` arguments. */
export interface PurgeArgs extends GlobalArgs {
  yes: boolean;
  /** Only entries recorded before this instant. */
  before?: Date;
  /** Only entries of this project. */
  project?: string;
}

/** What a purge deletes, in words: "all usage entries" or e.g. "the usage entries recorded before 2025-01-01 00:00:00 UTC of project 'x'". */
export function purgeTarget(args: Pick<PurgeArgs, "before" | "project">): string {
  if (args.before === undefined && args.project === undefined) return "all usage entries";
  const before = args.before === undefined ? "" : ` recorded before ${utcDateTime(args.before)} UTC`;
  const project = args.project === undefined ? "" : ` of project '${visibleText(args.project)}'`;
  return `the usage entries${before}${project}`;
}

/** Asks until the answer is y or n. End of input is an error: a script that forgot -y must not pass as "cancelled". */
async function confirm(io: CliIo, target: string): Promise<boolean> {
  for (;;) {
    const answer = await io.readLine(`Are you sure you want to delete ${target}? This action cannot be undone. [y/n]: `);
    if (answer === null) {
      println(io);
      throw new AccountingError("NO_ANSWER", "purge needs a yes: input ended before an answer (pass -y to purge without asking)");
    }
    const word = answer.trim().toLowerCase();
    if (word === "y" || word === "yes") return true;
    if (word === "n" || word === "no") return false;
    println(io, "Please enter y or n");
  }
}

/**
 * Deletes the usage entries `--before`/`--project` select (all without them) after confirmation;
 * limits, audit log and registries are kept, and so are entries tracked while it runs.
 */
export async function handlePurge(open: () => Accounting | Promise<Accounting>, args: PurgeArgs, io: CliIo): Promise<number | null> {
  const target = purgeTarget(args);
  if (!args.yes && !(await confirm(io, target))) {
    println(io, "Purge operation cancelled");
    return null;
  }
  const accounting = await open();
  const progress = progressReporter(io);
  try {
    const filters = { ...(args.before && { before: args.before }), ...(args.project !== undefined && { project: args.project }) };
    const deleted = await accounting.purge({ ...filters, onProgress: (done, total) => progress.update("deleting", done, total) }).finally(progress.end);
    const count = `${deleted} ${deleted === 1 ? "entry" : "entries"}`;
    println(io, target === "all usage entries" ? `All usage entries have been deleted (${count})` : `Deleted ${target} (${count})`);
    return deleted;
  } finally {
    await accounting.close();
  }
}

/** `llm-accounting purge`. */
export function purgeCommand(ctx: CommandContext): CommandModule<GlobalArgs, PurgeArgs> {
  return {
    command: "purge",
    describe: "Delete usage entries, all or those --before/--project select (limits, audit log, projects and users are kept)",
    builder: (yargs: Argv<GlobalArgs>) =>
      yargs
        .option("yes", { alias: "y", type: "boolean", default: false, describe: "Do not ask for confirmation" })
        .option("before", { type: "string", describe: "Only entries recorded before this: YYYY-MM-DD (its start, UTC), an ISO instant, 30d, 24h, today, yesterday", coerce: timeBound("before", "start", ctx.io.now) })
        .option("project", { type: "string", describe: "Only entries of this project" }) as unknown as Argv<PurgeArgs>,
    handler: (args) =>
      // Ask before opening the store, so a cancelled purge does not even create the database.
      runHandler(ctx, () => handlePurge(() => openAccounting(args, ctx.io), args, ctx.io)),
  };
}
