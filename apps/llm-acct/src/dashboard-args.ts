import yargs from "yargs";
import { globalOptions, type CurrencyArgs, type GlobalArgs } from "@llm-accounting/cli";

/**
 * The global options when the arguments hold nothing else (no command, no --help/--version):
 * then `llm-acct` opens the dashboard on that store (`--timezone`, `--tag-key` (repeatable), `--currency`
 * and `--rates` are the dashboard's own). Otherwise undefined: run the CLI.
 */
export function dashboardArgs(argv: readonly string[]): (GlobalArgs & CurrencyArgs & { timezone?: string; tagKey?: string[] }) | undefined {
  if (argv.some((a) => a === "--help" || a === "-h" || a === "--version")) return undefined;
  try {
    const parsed = yargs([...argv]).options({ ...globalOptions, timezone: { type: "string" }, "tag-key": { type: "string", array: true }, currency: { type: "string" }, rates: { type: "string" } }).strict().help(false).version(false).fail((message) => {
      throw new Error(message);
    }).parseSync();
    return parsed._.length === 0 ? (parsed as unknown as GlobalArgs & CurrencyArgs & { timezone?: string; tagKey?: string[] }) : undefined;
  } catch {
    return undefined;
  }
}
