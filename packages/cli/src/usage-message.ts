/**
 * yargs reports unknown input as "Unknown arguments: bogus-flag, bogusFlag" (once per spelling,
 * and the same way for a mistyped command). Users get one line naming what they typed. Undefined
 * when the message is about something else.
 */
export function describeUnknownArguments(message: string, argv: readonly string[], commands: readonly string[]): string | undefined {
  const match = /^Unknown arguments?: (.+)$/.exec(message);
  if (!match) return undefined;
  const names = match[1]!.split(", ").map((name) => name.trim()).filter(Boolean);
  const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  // yargs lists a --kebab-case option also under its camelCase alias.
  const typed = names.filter((name) => !(/[A-Z]/.test(name) && names.includes(kebab(name))));
  // A bare word before any known command is a mistyped command; the options after it belong to
  // the command the user meant, so they are not worth reporting.
  const firstCommand = argv.findIndex((arg) => commands.includes(arg));
  const mistyped = typed.find((name) => {
    const at = argv.indexOf(name);
    return at !== -1 && (firstCommand === -1 || at < firstCommand);
  });
  if (mistyped !== undefined) return `unknown command "${mistyped}"`;
  return typed.map((name) => describeOne(name, argv)).join("; ");
}

/** How the user typed one unknown name: as an option (long, negated or short) or a stray word. */
function describeOne(name: string, argv: readonly string[]): string {
  for (const arg of argv) {
    const flag = arg.split("=")[0]!;
    if (flag === `--${name}` || flag === `--no-${name}`) return `unknown option ${flag}`;
    if (/^-[^-]/.test(arg) && arg.slice(1).includes(name) && name.length === 1) return `unknown option -${name}`;
  }
  return `unexpected argument "${name}"`;
}
