import { visibleText, type Accounting } from "@llm-accounting/core";
import type { Argv, CommandModule } from "yargs";
import type { GlobalArgs } from "../context/global-options.js";
import { formatOption } from "../context/format-option.js";
import { TEXT_OR_LIST_FORMATS, writeListing, type ListFormat } from "../format/output.js";
import { renderTable } from "../format/table.js";
import { println, type CliIo } from "../io.js";
import { runHandler, withAccounting, type CommandContext } from "./command-context.js";
import { withHelp } from "./help.js";

/** Parsed arguments of the `projects` commands that name one project. */
export interface ProjectArgs extends GlobalArgs {
  name: string;
}
/** Parsed `projects update` arguments. */
export interface ProjectRenameArgs extends ProjectArgs {
  newName: string;
}
/** Parsed `projects list` arguments. */
export interface ProjectsListArgs extends GlobalArgs {
  format: ListFormat;
}

/** Registers a project. */
export async function handleProjectsAdd(accounting: Accounting, args: ProjectArgs, io: CliIo): Promise<void> {
  await accounting.createProject(args.name);
  println(io, `Project '${visibleText(args.name)}' added.`);
}

/** Lists the registered projects. */
export async function handleProjectsList(accounting: Accounting, args: ProjectsListArgs, io: CliIo): Promise<void> {
  const names = await accounting.listProjects();
  // The library lists projects as bare names: JSON and NDJSON keep them as strings.
  await writeListing(io, args.format, names, {
    valueColumn: "name",
    text: () => (names.length === 0 ? ["No projects defined."] : names.map((name) => visibleText(name))),
    table: () => (names.length === 0 ? ["No projects defined."] : renderTable([{ header: "Project" }], names.map((name) => [name]), { title: "Projects" })),
  });
}

/** Renames a project. */
export async function handleProjectsRename(accounting: Accounting, args: ProjectRenameArgs, io: CliIo): Promise<void> {
  await accounting.renameProject(args.name, args.newName);
  println(io, `Project '${visibleText(args.name)}' renamed to '${visibleText(args.newName)}'.`);
}

/** Removes a project from the registry. */
export async function handleProjectsDelete(accounting: Accounting, args: ProjectArgs, io: CliIo): Promise<void> {
  await accounting.deleteProject(args.name);
  println(io, `Project '${visibleText(args.name)}' deleted.`);
}

/** `llm-accounting projects add|list|update|delete` (the project registry used by --enforce-project-names). */
export function projectsCommand(ctx: CommandContext): CommandModule<GlobalArgs, GlobalArgs> {
  const io = ctx.io;
  const add: CommandModule<GlobalArgs, ProjectArgs> = {
    command: "add <name>",
    describe: "Register a project",
    builder: (y) => y.positional("name", { type: "string", demandOption: true }),
    handler: (args) => runHandler(ctx, () => withAccounting(ctx, args, (a) => handleProjectsAdd(a, args, io))),
  };
  const list: CommandModule<GlobalArgs, ProjectsListArgs> = {
    command: "list",
    describe: "List registered projects",
    builder: (y) => y.option("format", formatOption(TEXT_OR_LIST_FORMATS, "text", "Output format (text: one name a line; csv: a name column)")),
    handler: (args) => runHandler(ctx, () => withAccounting(ctx, args, (a) => handleProjectsList(a, args, io), { readOnly: true })),
  };
  const update: CommandModule<GlobalArgs, ProjectRenameArgs> = {
    command: "update <name> <new-name>",
    describe: "Rename a project",
    // The positional's kebab-case name is not in yargs' inferred type: it declares `newName` apart.
    builder: (y) => y.positional("name", { type: "string", demandOption: true }).positional("new-name", { type: "string", demandOption: true }) as unknown as Argv<ProjectRenameArgs>,
    handler: (args) => runHandler(ctx, () => withAccounting(ctx, args, (a) => handleProjectsRename(a, args, io))),
  };
  const del: CommandModule<GlobalArgs, ProjectArgs> = {
    command: "delete <name>",
    describe: "Remove a project from the registry (recorded usage keeps its name)",
    builder: (y) => y.positional("name", { type: "string", demandOption: true }),
    handler: (args) => runHandler(ctx, () => withAccounting(ctx, args, (a) => handleProjectsDelete(a, args, io))),
  };
  return {
    command: "projects",
    describe: "Manage the project registry (add, list, update, delete)",
    builder: (y) => y.command(withHelp(add, "projects add")).command(withHelp(list, "projects list")).command(withHelp(update, "projects update")).command(withHelp(del, "projects delete")).demandCommand(1, "Choose a projects command: add, list, update or delete"),
    handler: () => undefined,
  };
}
