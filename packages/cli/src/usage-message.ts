/**
 * yargs reports unknown input as "Unknown arguments: bogus-flag, bogusFlag" (once per spelling,
 * and the same way for a mistyped command). Users get one line naming what they typed.
 */
export function describeUnknownArguments(message: string, argv: readonly string[]): string | undefined {
  const match = /^Unknown arguments?: (.+)$/.exec(message);
  if (!match) return undefined;
  const names = match[1]!.split(", ").map((name) => name.trim()).filter(Boolean);
  const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  // yargs lists a --kebab-case option also under its camelCase alias.
  const typed = names.filter((name) => !(/[A-Z]/.test(name) && names.includes(kebab(name))));
  const firstWord = argv.find((arg, i) => !arg.startsWith("-") && (i === 0 || !argv[i - 1]!.startsWith("--") || argv[i - 1]!.includes("=")));
  const parts = typed.map((name) => {
    if (argv.some((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`) || arg === `-${name}`)) return `unknown option ${name.length === 1 ? "-" : "--"}${name}`;
    if (name === firstWord) return `unknown command "${name}"`;
    return `unexpected argument "${name}"`;
  });
  return parts.join("; ");
}
