import type { Argv, CommandModule } from "yargs";
import { globalOptions } from "../context/global-options.js";

/** An example for `--help`: the arguments after the program name, and what they do. */
export type Example = readonly [args: string, description: string];

/** Examples shown by each command's `--help`, by command path. */
export const EXAMPLES: Readonly<Record<string, readonly Example[]>> = {
  track: [
    ["track --model gpt-4o --prompt-tokens 1200 --completion-tokens 350", "Record a call, priced from the model's price"],
    ["track --model house-llm --prompt-tokens 900 --cost 0.004 --project support --username alice", "Record a call with its cost and names"],
    ["track --enforce-limits --model gpt-4o --cost 0.02 || echo denied", "Record only if the limits allow it (exit 3 otherwise)"],
  ],
  stats: [
    ["stats --daily", "Today so far (UTC)"],
    ["stats --since 7d --by project", "The last 7 days, with a breakdown by project"],
    ["stats --since 2025-01-01 --until 2025-01-31 --timezone Europe/Paris", "January, days counted in Paris time"],
    ["stats --monthly --format json", "This month as JSON"],
    ["stats --monthly --currency EUR --rates rates.csv", "This month in euros, each day at its rate from rates.csv"],
  ],
  tail: [
    ["tail", "The 10 newest entries"],
    ["tail -n 50 --since yesterday", "Up to 50 entries since yesterday's start"],
    ["tail -f", "Keep printing new entries as they are recorded (Ctrl-C to stop)"],
    ["tail -n -1 --format csv > usage.csv", "Every entry as CSV"],
  ],
  purge: [
    ["purge --before 2025-01-01 -y", "Delete entries recorded before 2025 without asking"],
    ["purge --project demo", "Delete the entries of one project, after a confirmation"],
  ],
  select: [
    ['select --query "SELECT model, SUM(cost_nanos) / 1e9 AS usd FROM accounting_entries GROUP BY model"', "Cost per model"],
    ["select --project support --format csv", "Every entry of one project as CSV"],
  ],
  check: [
    ["check --model gpt-4o --username alice --cost 0.02", "Would this call be allowed? (exit 0 yes, 3 no)"],
    ["check --model gpt-4o --prompt-tokens 1200 --completion-tokens 350 --format json", "Priced as track would, with what is left of each limit"],
  ],
  limits: [["limits list", "Every usage limit"]],
  "limits set": [
    ["limits set --scope USER --username alice --limit-type cost --max-value 5 --interval-unit day --interval-value 1", "alice may spend $5 a day"],
    ["limits set --scope MODEL --model gpt-4o --limit-type requests --max-value 100 --interval-unit minute_rolling --interval-value 1", "100 gpt-4o calls in any minute"],
    ["limits set --scope GLOBAL --limit-type cost --max-value 200 --interval-unit monthly --interval-value 1 --alert-at 50,80,100", "$200 a month, with alerts at 50, 80 and 100 %"],
  ],
  "limits list": [["limits list --format json", "Every limit as JSON, with its usage, burn rate and projection"]],
  alerts: [["alerts list", "The 20 newest alerts and their delivery state"]],
  "alerts list": [
    ["alerts list --state pending", "Alerts not delivered yet"],
    ["alerts list -n 100 --format json", "The 100 newest alerts as JSON"],
  ],
  "alerts deliver": [["alerts deliver --alert-webhook https://hooks.example.com/llm", "Deliver due alerts once (e.g. from cron)"]],
  "limits delete": [["limits delete --id 3", "Delete limit 3 (see limits list)"]],
  prices: [["prices list", "The stored prices"]],
  "prices set": [["prices set --model house-llm --input 0.5 --output 1.5 --effective-from 2025-09-01", "USD per million tokens from September 2025"]],
  "prices list": [["prices list --format csv", "The stored prices as CSV"]],
  "prices delete": [["prices delete --id 2", "Delete price 2 (see prices list)"]],
  reprice: [
    ["reprice --since 2025-09-01 --until 2025-09-30", "Dry run: old and new cost of September's entries"],
    ["reprice --since 2025-09-01 --until 2025-09-30 --apply", "Write the new costs"],
  ],
  reconcile: [
    ["reconcile --openai-costs costs.json", "The ledger against OpenAI's Costs API JSON, per UTC day and model (exit 4 beyond 2%)"],
    ["reconcile --anthropic-usage usage.json --anthropic-costs cost.json --tolerance 1", "Tokens and cost against Anthropic's reports, 1% tolerance"],
    ["reconcile --from-api openai --since 2025-06-01 --until 2025-06-30 --by project", "Fetched with $OPENAI_ADMIN_KEY, per project too"],
  ],
  projects: [["projects add support", "Register a project"]],
  "projects add": [["projects add support", "Register the project support"]],
  "projects list": [["projects list", "The registered projects"]],
  "projects update": [["projects update support helpdesk", "Rename a project"]],
  "projects delete": [["projects delete support", "Remove a project from the registry"]],
  users: [["users add alice --email alice@example.com", "Register a user"]],
  "users add": [["users add alice --ou-name research --email alice@example.com", "Register alice"]],
  "users list": [["users list --format json", "The registered users as JSON"]],
  "users update": [["users update alice --email a@example.com", "Change alice's e-mail address"]],
  "users deactivate": [["users deactivate alice", "Refuse alice's calls under --enforce-user-names"]],
  "users reactivate": [["users reactivate alice", "Accept alice's calls again"]],
  "log-event": [['log-event --app-name chat --user-name alice --model gpt-4o --log-type prompt --prompt-text "Hello"', "Log a prompt"]],
  audit: [["audit --session s-42 --since 1d", "Audit entries of a session in the last day"]],
  import: [["import --from-sqlite old/accounting.sqlite", "Copy everything from the Python tool's database (safe to rerun)"]],
  migrate: [["migrate", "Create data/accounting.sqlite, or bring it up to date"]],
  serve: [
    ["serve --port 9464", "Prometheus metrics on http://127.0.0.1:9464/metrics until Ctrl-C"],
    ["serve --host 0.0.0.0 --token \"$LLM_API_TOKEN\" --per-user", "Reachable from other machines (token required), with a series per user"],
  ],
  "": [
    ["track --model gpt-4o --prompt-tokens 1200 --completion-tokens 350", "Record a call"],
    ["stats --since 7d", "What the last 7 days cost, per model"],
    ["tail", "The newest entries"],
    ["<command> --help", "A command's options and examples"],
  ],
  completion: [
    ["completion bash >> ~/.bashrc", "Complete commands and options in bash (open a new shell after)"],
    ["completion zsh >> ~/.zshrc", "Complete commands and options in zsh"],
  ],
};

/**
 * Wraps a command so its `--help` lists the command's own options first, under "Options:", the
 * global options after them, and ends with its examples (EXAMPLES[path]).
 */
export function withHelp<T, U>(module: CommandModule<T, U>, path: string): CommandModule<T, U> {
  const builder = module.builder;
  return {
    ...module,
    builder: (yargs: Argv<T>) => {
      const built = (typeof builder === "function" ? builder(yargs) : builder ? yargs.options(builder) : yargs) as Argv<U>;
      // yargs lists local groups before the groups carried over from the parent ("Global options:").
      // getOptions() is public in yargs 18 but missing from @types/yargs 17.
      const { key, alias } = (built as unknown as { getOptions(): { key: Record<string, unknown>; alias: Record<string, string[]> } }).getOptions();
      const aliases = new Set(Object.values(alias).flat());
      const positionals = new Set(positionalNames(typeof module.command === "string" ? module.command : ""));
      const own = Object.keys(key).filter((name) => !(name in globalOptions) && !aliases.has(name) && !positionals.has(name) && name !== "help" && name !== "version");
      const documented = built.group([...own, "help", "version"], "Options:");
      return addExamples(documented, EXAMPLES[path] ?? []);
    },
  };
}

/**
 * Adds examples as a `# description` line and the command line under it: yargs' two-column
 * layout would squeeze a long command line into half the width.
 */
export function addExamples<T>(yargs: Argv<T>, examples: readonly Example[]): Argv<T> {
  let documented = yargs;
  for (const [args, description] of examples) documented = documented.example(`# ${description}`, "").example(`$0 ${args}`, "");
  return documented;
}

// `add <name>`, `update <name> <new-name>`: the positional names, as yargs keys them (and camelCased).
function positionalNames(command: string): string[] {
  const names = [...command.matchAll(/[<[]([^>\]]+)[>\]]/g)].map((match) => match[1]!.replace(/\.\.\.$/, ""));
  return names.flatMap((name) => [name, name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())]);
}
