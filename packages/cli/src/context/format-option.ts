/**
 * The `--format` option, declared the same way by every command that has one: the formats the
 * command offers (in the order its help lists them), the default, and a description that says
 * what each format holds on that command.
 */
export function formatOption<const F extends readonly string[]>(choices: F, defaultFormat: F[number], describe = "Output format"): { choices: F; default: F[number]; describe: string } {
  return { choices, default: defaultFormat, describe };
}
