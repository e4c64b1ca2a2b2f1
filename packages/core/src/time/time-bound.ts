import { parseInstant } from "../instant.js";
import { dayIn, dayStartIn, instantAt, type CalendarDay } from "./time-zone.js";

/** Which end of a range a bound is: a day given for the start means its first instant, for the end its last. */
export type BoundEdge = "start" | "end";

const DAY_MS = 86_400_000;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS, w: 7 * DAY_MS };
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
// An instant written without an offset: read on the wall clock of the time zone.
const LOCAL_INSTANT = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?$/;

/** The day `text` names as `YYYY-MM-DD`, or undefined when it names no real day. */
function calendarDay(text: string): CalendarDay | undefined {
  const match = DAY.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // Date.UTC rolls 2025-02-30 over to March; a day that does not round-trip does not exist.
  return new Date(Date.UTC(year, month - 1, day)).toISOString().slice(0, 10) === text ? { year, month, day } : undefined;
}

/**
 * Parses a range bound as `--since`/`--until` take it, relative to `now`, with days and
 * offset-less times on the wall clock of `zone` (default UTC): a day `YYYY-MM-DD`, `today` or
 * `yesterday` (its first instant as a start, its last millisecond as an end, so the day is
 * included); `now`; an age `N` + `s|m|h|d|w` (`7d`, `24h`, `30m`: that long before now); or an
 * instant (ISO-8601 with `Z` or an offset; `YYYY-MM-DD HH:MM[:SS]` without one, in `zone`).
 * Undefined when the text is none of these.
 */
export function parseTimeBound(text: string, edge: BoundEdge, now: Date, zone = "UTC"): Date | undefined {
  const value = text.trim();
  const word = value.toLowerCase();
  if (word === "now") return new Date(now.getTime());
  const today = dayIn(now, zone);
  const day = word === "today" ? today : word === "yesterday" ? { ...today, day: today.day - 1 } : calendarDay(value);
  if (day !== undefined) {
    if (edge === "start") return dayStartIn(day, zone);
    return new Date(dayStartIn({ ...day, day: day.day + 1 }, zone).getTime() - 1);
  }
  const age = /^(\d+)([smhdw])$/.exec(word);
  if (age) {
    const ms = Number(age[1]) * UNIT_MS[age[2]!]!;
    return Number.isSafeInteger(ms) && ms <= now.getTime() + 8.64e15 ? new Date(now.getTime() - ms) : undefined;
  }
  const local = LOCAL_INSTANT.exec(value);
  if (local && zone !== "UTC") {
    const [, y, mo, d, h, mi, sec, ms] = local.map(Number);
    const wall = Date.UTC(y!, mo! - 1, d!, h!, mi!, Number.isNaN(sec) ? 0 : sec!, Number.isNaN(ms) ? 0 : Number(local[7]!.padEnd(3, "0")));
    const checked = new Date(wall).toISOString();
    if (checked.slice(0, 10) !== local.slice(1, 4).join("-")) return undefined;
    return new Date(instantAt(wall, zone));
  }
  try {
    return parseInstant(value);
  } catch {
    return undefined;
  }
}
