/** A calendar day: year, month 1-12, day 1-31. */
export interface CalendarDay {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function format(zone: string): Intl.DateTimeFormat {
  let made = formats.get(zone);
  if (!made) {
    made = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
    formats.set(zone, made);
  }
  return made;
}

/** Whether `zone` is an IANA time zone name Node knows (`Europe/Paris`, `UTC`). */
export function isTimeZone(zone: string): boolean {
  try {
    format(zone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock date and time in `zone` at `instant`, as if it were UTC (ms). */
function wallClock(instant: number, zone: string): number {
  if (zone === "UTC") return instant;
  const parts: Record<string, number> = {};
  for (const part of format(zone).formatToParts(new Date(instant))) if (part.type !== "literal") parts[part.type] = Number(part.value);
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!) + (instant % 1000 + 1000) % 1000;
}

/** The wall-clock date and time in `zone` at `instant`, as a Date whose UTC fields show it (for display and day arithmetic). */
export function wallTimeIn(instant: Date, zone: string): Date {
  return new Date(wallClock(instant.getTime(), zone));
}

/** The day it is in `zone` at `instant`. */
export function dayIn(instant: Date, zone: string): CalendarDay {
  const wall = wallTimeIn(instant, zone);
  return { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate() };
}

/**
 * The instant at which the wall clock in `zone` shows `wall` (ms, read as UTC fields). Where a
 * daylight-saving jump skips that time, the instant the clock jumps to.
 */
export function instantAt(wall: number, zone: string): number {
  if (zone === "UTC") return wall;
  // Two rounds: the offset at the first guess, then at the instant it leads to (DST edges).
  let instant = wall - (wallClock(wall, zone) - wall);
  instant = wall - (wallClock(instant, zone) - instant);
  return instant;
}

/** The first instant of `day` in `zone` (its midnight; months and days past their end roll over). */
export function dayStartIn(day: CalendarDay, zone: string): Date {
  return new Date(instantAt(Date.UTC(day.year, day.month - 1, day.day), zone));
}
