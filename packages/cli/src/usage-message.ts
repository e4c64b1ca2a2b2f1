import { closestMatch } from "./suggest.js";

/**
 * yargs reports unknown input as "Unknown arguments: bogus-flag, bogusFlag" (once per spelling,
 * and the same way for a mistyped command). Users get one line naming what they typed. Undefined
 * when the message is about something else.
 */
export function describeUnknownArguments(message: string, argv: readonly string[], commands: readonly string[], optionNames: readonly string[] = []): string | undefined {
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
  return typed.map((name) => describeOne(name, argv, optionNames)).join("; ");
}

/**
 * yargs' `recommendCommands` fails with "Did you mean stats?", without the word the user typed;
 * this names both, as `unknown command "stast"; did you mean "stats"?`. Undefined for other messages.
 */
export function describeRecommendation(message: string, typed: string | undefined): string | undefined {
  const match = /^Did you mean (.+)\?$/.exec(message);
  if (!match) return undefined;
  return typed === undefined ? `did you mean "${match[1]}"?` : `unknown command "${typed}"; did you mean "${match[1]}"?`;
}

/** How the user typed one unknown name: as an option (long, negated or short) or a stray word. */
function describeOne(name: string, argv: readonly string[], optionNames: readonly string[]): string {
  // Long names only: one letter is too short to guess from, and camelCase aliases double every name.
  const longNames = optionNames.filter((option) => option.length > 1 && !/[A-Z]/.test(option));
  for (const arg of argv) {
    const flag = arg.split("=")[0]!;
    if (flag === `--${name}` || flag === `--no-${name}`) {
      const near = closestMatch(name, longNames);
      const suggestion = near === undefined ? "" : `; did you mean ${flag.startsWith("--no-") ? "--no-" : "--"}${near}?`;
      return `unknown option ${flag}${suggestion}`;
    }
    if (/^-[^-]/.test(arg) && arg.slice(1).includes(name) && name.length === 1) return `unknown option -${name}`;
  }
  return `unexpected argument "${name}"`;
}
