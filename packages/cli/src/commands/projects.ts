import { visibleText } from "@llm-accounting/core";
import type { Argv, CommandModule } from "yargs";
import type { GlobalArgs } from "../context/global-options.js";
import { LIST_FORMATS, writeListing, type ListFormat } from "../format/output.js";
import { renderTable } from "../format/table.js";
import { println } from "../io.js";
import { runHandler, withAccounting, type CommandContext } from "./command-context.js";
import { withHelp } from "./help.js";

interface NameArgs extends GlobalArgs {
  name: string;
}
interface RenameArgs extends NameArgs {
  newName: string;
}

/** `llm-accounting projects add|list|update|delete` (the project registry used by --enforce-project-names). */
export function projectsCommand(ctx: CommandContext): CommandModule<GlobalArgs, GlobalArgs> {
  const io = ctx.io;
  const add: CommandModule<GlobalArgs, NameArgs> = {
    command: "add <name>",
    describe: "Register a project",
    builder: (y) => y.positional("name", { type: "string", demandOption: true }) as unknown as Argv<NameArgs>,
    handler: (args) =>
      runHandler(ctx, () => withAccounting(ctx, args, async (a) => (await a.createProject(args.name), println(io, `Project '${visibleText(args.name)}' added.`)))),
  };
  const list: CommandModule<GlobalArgs, GlobalArgs & { format: ListFormat }> = {
    command: "list",
    describe: "List registered projects",
    builder: (y) =>
      y.option("format", { choices: ["text", ...LIST_FORMATS] as const, default: "text" as const, describe: "Output format (text: one name a line; csv: a name column)" }) as unknown as Argv<GlobalArgs & { format: ListFormat }>,
    handler: (args) =>
      runHandler(ctx, () =>
        withAccounting(ctx, args, async (a) => {
          const names = await a.listProjects();
          // The library lists projects as bare names: JSON and NDJSON keep them as strings.
          await writeListing(io, args.format, names, {
            valueColumn: "name",
            text: () => (names.length === 0 ? ["No projects defined."] : names.map((name) => visibleText(name))),
            table: () => (names.length === 0 ? ["No projects defined."] : renderTable([{ header: "Project" }], names.map((name) => [name]), { title: "Projects" })),
          });
        }, { readOnly: true }),
      ),
  };
  const update: CommandModule<GlobalArgs, RenameArgs> = {
    command: "update <name> <new-name>",
    describe: "Rename a project",
    builder: (y) => y.positional("name", { type: "string", demandOption: true }).positional("new-name", { type: "string", demandOption: true }) as unknown as Argv<RenameArgs>,
    handler: (args) =>
      runHandler(ctx, () =>
        withAccounting(ctx, args, async (a) => (await a.renameProject(args.name, args.newName), println(io, `Project '${visibleText(args.name)}' renamed to '${visibleText(args.newName)}'.`))),
      ),
  };
  const del: CommandModule<GlobalArgs, NameArgs> = {
    command: "delete <name>",
    describe: "Remove a project from the registry (recorded usage keeps its name)",
    builder: (y) => y.positional("name", { type: "string", demandOption: true }) as unknown as Argv<NameArgs>,
    handler: (args) =>
      runHandler(ctx, () => withAccounting(ctx, args, async (a) => (await a.deleteProject(args.name), println(io, `Project '${visibleText(args.name)}' deleted.`)))),
  };
  return {
    command: "projects",
    describe: "Manage the project registry (add, list, update, delete)",
    builder: (y) => y.command(withHelp(add, "projects add")).command(withHelp(list, "projects list")).command(withHelp(update, "projects update")).command(withHelp(del, "projects delete")).demandCommand(1, "Choose a projects command: add, list, update or delete"),
    handler: () => undefined,
  };
}
