import type { Argv, CommandModule } from "yargs";
import type { GlobalArgs } from "../context/global-options.js";
import { println } from "../io.js";
import { runHandler, withAccounting, type CommandContext } from "./command-context.js";

/** `llm-accounting migrate`: brings the store's schema up to this version (what every write does on open). */
export function migrateCommand(ctx: CommandContext): CommandModule<GlobalArgs, GlobalArgs> {
  return {
    command: "migrate",
    describe: "Create the store or bring its schema up to this version (commands that only read never do)",
    builder: (yargs: Argv<GlobalArgs>) => yargs,
    handler: (args) =>
      runHandler(ctx, () =>
        withAccounting(ctx, args, async (accounting) => {
          await accounting.open();
          println(ctx.io, `${accounting.store.description} is up to date`);
        }),
      ),
  };
}
