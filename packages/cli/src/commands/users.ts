import { visibleText, type Accounting, type UserRecord } from "@llm-accounting/core";
import type { Argv, CommandModule } from "yargs";
import type { GlobalArgs } from "../context/global-options.js";
import { formatOption } from "../context/format-option.js";
import { TEXT_OR_LIST_FORMATS, writeListing, type ListFormat } from "../format/output.js";
import { utcDateTime } from "../format/numbers.js";
import { renderTable } from "../format/table.js";
import { println, type CliIo } from "../io.js";
import { runHandler, withAccounting, type CommandContext } from "./command-context.js";
import { withHelp } from "./help.js";

/** Parsed arguments of the `users` commands that name one user. */
export interface UserArgs extends GlobalArgs {
  user: string;
}
/** Parsed `users add` arguments. */
export interface UserAddArgs extends UserArgs {
  ouName?: string;
  email?: string;
}
/** Parsed `users update` arguments. */
export interface UserUpdateArgs extends UserAddArgs {
  newUserName?: string;
}
/** Parsed `users list` arguments. */
export interface UsersListArgs extends GlobalArgs {
  format: ListFormat;
}

/** Registers a user. */
export async function handleUsersAdd(accounting: Accounting, args: UserAddArgs, io: CliIo): Promise<void> {
  await accounting.createUser({ userName: args.user, ouName: args.ouName ?? null, email: args.email ?? null });
  println(io, `User '${visibleText(args.user)}' added.`);
}

/** The `users list` table. */
function usersTable(users: readonly UserRecord[]): string[] {
  const rows = users.map((u) => [u.userName, u.ouName ?? "-", u.email ?? "-", u.enabled ? "yes" : "no", utcDateTime(u.createdAt), u.lastDisabledAt ? utcDateTime(u.lastDisabledAt) : "-"]);
  return renderTable(["User", "OU", "E-mail", "Enabled", "Created", "Last Disabled"].map((header) => ({ header })), rows, { title: "Users" });
}

/** Lists the registered users. */
export async function handleUsersList(accounting: Accounting, args: UsersListArgs, io: CliIo): Promise<void> {
  const users = await accounting.listUsers();
  const none = ["No users defined."];
  await writeListing(io, args.format, users, {
    text: () => (users.length === 0 ? none : users.map((u) => visibleText(u.userName))),
    table: () => (users.length === 0 ? none : usersTable(users)),
  });
}

/** Changes a user's name, OU or e-mail. */
export async function handleUsersUpdate(accounting: Accounting, args: UserUpdateArgs, io: CliIo): Promise<void> {
  await accounting.updateUser(args.user, { newUserName: args.newUserName, ouName: args.ouName, email: args.email });
  println(io, `User '${visibleText(args.user)}' updated.`);
}

/** Deactivates a user. */
export async function handleUsersDeactivate(accounting: Accounting, args: UserArgs, io: CliIo): Promise<void> {
  await accounting.deactivateUser(args.user);
  println(io, `User '${visibleText(args.user)}' deactivated.`);
}

/** Reactivates a deactivated user. */
export async function handleUsersReactivate(accounting: Accounting, args: UserArgs, io: CliIo): Promise<void> {
  await accounting.reactivateUser(args.user);
  println(io, `User '${visibleText(args.user)}' reactivated.`);
}

/** `llm-accounting users add|list|update|deactivate|reactivate` (the registry used by --enforce-user-names). */
export function usersCommand(ctx: CommandContext): CommandModule<GlobalArgs, GlobalArgs> {
  const io = ctx.io;
  const userArg = (y: Argv<GlobalArgs>) => y.positional("user", { type: "string", demandOption: true });
  const add: CommandModule<GlobalArgs, UserAddArgs> = {
    command: "add <user>",
    describe: "Register a user",
    builder: (y) => userArg(y).option("ou-name", { type: "string", describe: "Organisational unit" }).option("email", { type: "string", describe: "E-mail address" }),
    handler: (args) => runHandler(ctx, () => withAccounting(ctx, args, (a) => handleUsersAdd(a, args, io))),
  };
  const list: CommandModule<GlobalArgs, UsersListArgs> = {
    command: "list",
    describe: "List users (names; --format table, json, csv or ndjson for details)",
    builder: (y) => y.option("format", formatOption(TEXT_OR_LIST_FORMATS, "text", "Output format (text: one name a line; csv and ndjson: one row per user)")),
    handler: (args) => runHandler(ctx, () => withAccounting(ctx, args, (a) => handleUsersList(a, args, io), { readOnly: true })),
  };
  const update: CommandModule<GlobalArgs, UserUpdateArgs> = {
    command: "update <user>",
    describe: "Change a user's name, OU or e-mail",
    builder: (y) =>
      userArg(y)
        .option("new-user-name", { type: "string", describe: "New user name" })
        .option("ou-name", { type: "string", describe: "Organisational unit" })
        .option("email", { type: "string", describe: "E-mail address" }),
    handler: (args) => runHandler(ctx, () => withAccounting(ctx, args, (a) => handleUsersUpdate(a, args, io))),
  };
  const deactivate: CommandModule<GlobalArgs, UserArgs> = {
    command: "deactivate <user>",
    describe: "Deactivate a user (refused under --enforce-user-names)",
    builder: (y) => userArg(y),
    handler: (args) => runHandler(ctx, () => withAccounting(ctx, args, (a) => handleUsersDeactivate(a, args, io))),
  };
  const reactivate: CommandModule<GlobalArgs, UserArgs> = {
    command: "reactivate <user>",
    describe: "Reactivate a deactivated user",
    builder: (y) => userArg(y),
    handler: (args) => runHandler(ctx, () => withAccounting(ctx, args, (a) => handleUsersReactivate(a, args, io))),
  };
  return {
    command: "users",
    describe: "Manage the user registry (add, list, update, deactivate, reactivate)",
    builder: (y) =>
      y.command(withHelp(add, "users add")).command(withHelp(list, "users list")).command(withHelp(update, "users update")).command(withHelp(deactivate, "users deactivate")).command(withHelp(reactivate, "users reactivate")).demandCommand(1, "Choose a users command: add, list, update, deactivate or reactivate"),
    handler: () => undefined,
  };
}
