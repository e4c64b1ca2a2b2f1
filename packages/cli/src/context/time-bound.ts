import { parseInstant } from "@llm-accounting/core";
import { UsageError } from "../errors.js";

/** Which end of a range a bound is: a day given for the start means its first instant, for the end its last. */
export type BoundEdge = "start" | "end";

const DAY_MS = 86_400_000;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS, w: 7 * DAY_MS };

/** The first instant (UTC) of the day `text` names as `YYYY-MM-DD`, or undefined when it names no real day. */
function dayStart(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const ms = Date.parse(`${text}T00:00:00Z`);
  // Date.parse rolls 2025-02-30 over to March; a day that does not round-trip does not exist.
  return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text ? undefined : ms;
}

/**
 * Parses a range bound as `--since`/`--until` take it, relative to `now`, in UTC:
 * a day `YYYY-MM-DD`, `today` or `yesterday` (its first instant as a start, its last millisecond
 * as an end, so the day is included); `now`; an age `N` + `s|m|h|d|w` (`7d`, `24h`, `30m`: that
 * long before now); or an instant (ISO-8601, or `YYYY-MM-DD HH:MM:SS`, UTC when no offset).
 * Undefined when the text is none of these.
 */
export function parseTimeBound(text: string, edge: BoundEdge, now: Date): Date | undefined {
  const value = text.trim();
  const word = value.toLowerCase();
  if (word === "now") return new Date(now.getTime());
  const todayStart = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  const start = word === "today" ? todayStart : word === "yesterday" ? todayStart - DAY_MS : dayStart(value);
  if (start !== undefined) return new Date(edge === "start" ? start : start + DAY_MS - 1);
  const age = /^(\d+)([smhdw])$/.exec(word);
  if (age) {
    const ms = Number(age[1]) * UNIT_MS[age[2]!]!;
    return Number.isSafeInteger(ms) && ms <= now.getTime() + 8.64e15 ? new Date(now.getTime() - ms) : undefined;
  }
  try {
    return parseInstant(value);
  } catch {
    return undefined;
  }
}

/** A yargs `coerce` for a range bound flag (see `parseTimeBound`), with an error naming the flag. */
export const timeBound = (flag: string, edge: BoundEdge, now: () => Date) => (value: unknown): Date | undefined => {
  if (value === undefined) return undefined;
  const parsed = parseTimeBound(String(value), edge, now());
  if (parsed === undefined || Number.isNaN(parsed.getTime())) {
    throw new UsageError(`--${flag} must be a date (2025-01-31), an instant (2025-01-31T13:45:00Z), an age (7d, 24h, 30m), today, yesterday or now (got "${String(value)}")`);
  }
  return parsed;
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
