import type { Accounting } from "@llm-accounting/core";
import { openAccounting, type AccountingNeeds } from "../context/open-accounting.js";
import type { GlobalArgs } from "../context/global-options.js";
import type { CliIo } from "../io.js";

/** What each command's wiring receives: the io, and slots for the outcome it decides. */
export interface CommandContext {
  readonly io: CliIo;
  exitCode: number;
  /** An error a handler raised; kept apart from yargs' own parse failures, which are usage errors. */
  error?: unknown;
  /** The option names (and aliases) of the command being parsed, kept for "did you mean" on a mistyped option. */
  optionNames?: readonly string[];
}

/** Runs a command handler, recording (not throwing) its error so the CLI can map it to an exit code. */
export async function runHandler(ctx: CommandContext, work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error) {
    ctx.error = error;
  }
}

/** Opens the accounting facade for the global args, runs `work`, and always closes it. */
export async function withAccounting<T>(ctx: CommandContext, args: GlobalArgs, work: (accounting: Accounting) => Promise<T>, needs: AccountingNeeds = {}): Promise<T> {
  const accounting = await openAccounting(args, ctx.io, needs);
  try {
    return await work(accounting);
  } finally {
    await accounting.close();
  }
}

