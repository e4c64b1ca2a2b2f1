import { visibleText } from "@llm-accounting/core";
import type { Argv, CommandModule } from "yargs";
import type { GlobalArgs } from "../context/global-options.js";
import { LIST_FORMATS, writeListing, type ListFormat } from "../format/output.js";
import { utcDateTime } from "../format/numbers.js";
import { renderTable } from "../format/table.js";
import { println } from "../io.js";
import { runHandler, withAccounting, type CommandContext } from "./command-context.js";
import { withHelp } from "./help.js";

interface UserArgs extends GlobalArgs {
  user: string;
}
interface AddArgs extends UserArgs {
  ouName?: string;
  email?: string;
}
interface UpdateArgs extends AddArgs {
  newUserName?: string;
}

/** `llm-accounting users add|list|update|deactivate|reactivate` (the registry used by --enforce-user-names). */
export function usersCommand(ctx: CommandContext): CommandModule<GlobalArgs, GlobalArgs> {
  const io = ctx.io;
  const userArg = (y: Argv<GlobalArgs>) => y.positional("user", { type: "string", demandOption: true });
  const add: CommandModule<GlobalArgs, AddArgs> = {
    command: "add <user>",
    describe: "Register a user",
    builder: (y) =>
      userArg(y).option("ou-name", { type: "string", describe: "Organisational unit" }).option("email", { type: "string", describe: "E-mail address" }) as unknown as Argv<AddArgs>,
    handler: (args) =>
      runHandler(ctx, () =>
        withAccounting(ctx, args, async (a) => {
          await a.createUser({ userName: args.user, ouName: args.ouName ?? null, email: args.email ?? null });
          println(io, `User '${visibleText(args.user)}' added.`);
        }),
      ),
  };
  const list: CommandModule<GlobalArgs, GlobalArgs & { format: ListFormat }> = {
    command: "list",
    describe: "List users (names; --format table, json, csv or ndjson for details)",
    builder: (y) =>
      y.option("format", { choices: ["text", ...LIST_FORMATS] as const, default: "text" as const, describe: "Output format (text: one name a line; csv and ndjson: one row per user)" }) as unknown as Argv<GlobalArgs & { format: ListFormat }>,
    handler: (args) =>
      runHandler(ctx, () =>
        withAccounting(ctx, args, async (a) => {
          const users = await a.listUsers();
          const none = ["No users defined."];
          await writeListing(io, args.format, users, {
            text: () => (users.length === 0 ? none : users.map((u) => visibleText(u.userName))),
            table: () => {
              if (users.length === 0) return none;
              const rows = users.map((u) => [u.userName, u.ouName ?? "-", u.email ?? "-", u.enabled ? "yes" : "no", utcDateTime(u.createdAt), u.lastDisabledAt ? utcDateTime(u.lastDisabledAt) : "-"]);
              return renderTable(["User", "OU", "E-mail", "Enabled", "Created", "Last Disabled"].map((header) => ({ header })), rows, { title: "Users" });
            },
          });
        }, { readOnly: true }),
      ),
  };
  const update: CommandModule<GlobalArgs, UpdateArgs> = {
    command: "update <user>",
    describe: "Change a user's name, OU or e-mail",
    builder: (y) =>
      userArg(y)
        .option("new-user-name", { type: "string", describe: "New user name" })
        .option("ou-name", { type: "string", describe: "Organisational unit" })
        .option("email", { type: "string", describe: "E-mail address" }) as unknown as Argv<UpdateArgs>,
    handler: (args) =>
      runHandler(ctx, () =>
        withAccounting(ctx, args, async (a) => {
          await a.updateUser(args.user, { newUserName: args.newUserName, ouName: args.ouName, email: args.email });
          println(io, `User '${visibleText(args.user)}' updated.`);
        }),
      ),
  };
  const deactivate: CommandModule<GlobalArgs, UserArgs> = {
    command: "deactivate <user>",
    describe: "Deactivate a user (refused under --enforce-user-names)",
    builder: (y) => userArg(y) as unknown as Argv<UserArgs>,
    handler: (args) =>
      runHandler(ctx, () => withAccounting(ctx, args, async (a) => (await a.deactivateUser(args.user), println(io, `User '${visibleText(args.user)}' deactivated.`)))),
  };
  const reactivate: CommandModule<GlobalArgs, UserArgs> = {
    command: "reactivate <user>",
    describe: "Reactivate a deactivated user",
    builder: (y) => userArg(y) as unknown as Argv<UserArgs>,
    handler: (args) =>
      runHandler(ctx, () => withAccounting(ctx, args, async (a) => (await a.reactivateUser(args.user), println(io, `User '${visibleText(args.user)}' reactivated.`)))),
  };
  return {
    command: "users",
    describe: "Manage the user registry (add, list, update, deactivate, reactivate)",
    builder: (y) =>
      y.command(withHelp(add, "users add")).command(withHelp(list, "users list")).command(withHelp(update, "users update")).command(withHelp(deactivate, "users deactivate")).command(withHelp(reactivate, "users reactivate")).demandCommand(1, "Choose a users command: add, list, update, deactivate or reactivate"),
    handler: () => undefined,
  };
}
