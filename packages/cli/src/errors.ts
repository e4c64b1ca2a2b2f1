import { AccountingError } from "@llm-accounting/core";

/** Exit codes: 0 success, 1 runtime error, 2 usage error, 3 quota denied, 4 a reconciliation beyond its tolerance. */
export const EXIT = { ok: 0, runtime: 1, usage: 2, denied: 3, beyondTolerance: 4 } as const;

/** A mistake in how the command was invoked (unknown option, missing or malformed flag). */
export class UsageError extends AccountingError {
  constructor(message: string) {
    super("USAGE", message);
  }
}

/** Turns an API field name into the flag a CLI user typed: `promptTokens` → `--prompt-tokens`. */
export function flagFor(field: string): string {
  // projectName is a limit's or a check's project: both commands take it as --project.
  const special: Record<string, string> = { n: "--number", dbFile: "--db-file", projectName: "--project" };
  return special[field] ?? `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}
