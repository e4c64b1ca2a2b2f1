import { parseTimeBound, type BoundEdge } from "@llm-accounting/core";
import { UsageError } from "../errors.js";

const BOUND_ERROR = "must be a date (2025-01-31), an instant (2025-01-31T13:45:00Z), an age (7d, 24h, 30m), today, yesterday or now";

/**
 * A yargs `coerce` for a range bound flag: checks the text (see `parseTimeBound`) and keeps it;
 * `resolveTimeBounds` turns it into an instant once --timezone is known.
 */
export const timeBound = (flag: string, edge: BoundEdge, now: () => Date) => (value: unknown): Date | string | undefined => {
  if (value === undefined) return undefined;
  if (value instanceof Date) return value;
  const parsed = parseTimeBound(String(value), edge, now());
  if (parsed === undefined || Number.isNaN(parsed.getTime())) throw new UsageError(`--${flag} ${BOUND_ERROR} (got "${String(value)}")`);
  return String(value);
};

/** Range bound flags and the end of a range each one is. */
const BOUND_FLAGS: Readonly<Record<string, BoundEdge>> = { since: "start", start: "start", before: "start", until: "end", end: "end" };

/**
 * A yargs middleware: turns the range bound flags a command was given (`--since`, `--until`,
 * `--start`, `--end`, `--before`) into instants, with days in `--timezone` (default UTC).
 */
export const resolveTimeBounds = (now: () => Date) => (argv: Record<string, unknown>): void => {
  const zone = typeof argv.timezone === "string" ? argv.timezone : "UTC";
  for (const [flag, edge] of Object.entries(BOUND_FLAGS)) {
    const value = argv[flag];
    if (typeof value !== "string") continue;
    const parsed = parseTimeBound(value, edge, now(), zone);
    if (parsed === undefined || Number.isNaN(parsed.getTime())) throw new UsageError(`--${flag} ${BOUND_ERROR} (got "${value}")`);
    argv[flag] = parsed;
  }
};

/** Options `--since`/`--until` and their older spellings `--start`/`--end`, resolved: one of each pair at most. */
export function rangeBounds(args: { since?: Date; until?: Date; start?: Date; end?: Date }): { since?: Date; until?: Date } {
  const since = args.since ?? args.start;
  const until = args.until ?? args.end;
  if (since && until && until.getTime() < since.getTime()) {
    throw new UsageError(`${args.until ? "--until" : "--end"} must not be before ${args.since ? "--since" : "--start"}`);
  }
  return { ...(since && { since }), ...(until && { until }) };
}
