import { AccountingError, type Accounting } from "@llm-accounting/core";
import type { Argv, CommandModule } from "yargs";
import type { GlobalArgs } from "../context/global-options.js";
import { progressReporter } from "../format/progress.js";
import { println, type CliIo } from "../io.js";
import { openAccounting } from "../context/open-accounting.js";
import { runHandler, type CommandContext } from "./command-context.js";

/** Parsed `purge` arguments. */
export interface PurgeArgs extends GlobalArgs {
  yes: boolean;
}

const QUESTION = "Are you sure you want to delete all usage entries? This action cannot be undone. [y/n]: ";

/** Asks until the answer is y or n. End of input is an error: a script that forgot -y must not pass as "cancelled". */
async function confirm(io: CliIo): Promise<boolean> {
  for (;;) {
    const answer = await io.readLine(QUESTION);
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

/** Deletes every usage entry after confirmation (limits, audit log and registries are kept); entries tracked while it runs are kept too. */
export async function handlePurge(open: () => Accounting | Promise<Accounting>, args: PurgeArgs, io: CliIo): Promise<number | null> {
  if (!args.yes && !(await confirm(io))) {
    println(io, "Purge operation cancelled");
    return null;
  }
  const accounting = await open();
  const progress = progressReporter(io);
  try {
    const deleted = await accounting.purge({ onProgress: (done, total) => progress.update("deleting", done, total) }).finally(progress.end);
    println(io, `All usage entries have been deleted (${deleted} ${deleted === 1 ? "entry" : "entries"})`);
    return deleted;
  } finally {
    await accounting.close();
  }
}

/** `llm-accounting purge`. */
export function purgeCommand(ctx: CommandContext): CommandModule<GlobalArgs, PurgeArgs> {
  return {
    command: "purge",
    describe: "Delete all usage entries (limits, audit log, projects and users are kept)",
    builder: (yargs: Argv<GlobalArgs>) =>
      yargs.option("yes", { alias: "y", type: "boolean", default: false, describe: "Do not ask for confirmation" }) as unknown as Argv<PurgeArgs>,
    handler: (args) =>
      // Ask before opening the store, so a cancelled purge does not even create the database.
      runHandler(ctx, () => handlePurge(() => openAccounting(args, ctx.io), args, ctx.io)),
  };
}
