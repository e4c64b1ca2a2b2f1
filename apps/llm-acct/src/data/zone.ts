import { dayIn, dayStartIn, isTimeZone, wallTimeIn } from "@llm-accounting/core";

/** An IANA time zone name (`Europe/Prague`) or `UTC`: where the dashboard's days start and how it writes times. */
export type TimeZone = string;

const DAY = 86_400_000;

/** The terminal's own zone (what `--timezone` defaults to). */
export const localZone = (): TimeZone => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

/** The zone as given when valid (`utc` reads `UTC`); throws a RangeError naming it otherwise. */
export function checkZone(zone: string): TimeZone {
  if (zone.toUpperCase() === "UTC") return "UTC";
  if (isTimeZone(zone)) return zone;
  throw new RangeError(`unknown time zone "${zone}" (use an IANA name such as Europe/Prague, or UTC)`);
}

/** The instant of wall time y-mo-d 00:00 in `zone` (month 1-based; days past the month's end roll over). */
export function zonedMidnight(y: number, mo: number, d: number, zone: TimeZone): Date {
  return dayStartIn({ year: y, month: mo, day: d }, zone);
}

/** The start of the day holding `at`, `daysBack` days earlier, in `zone`. */
export function startOfDay(at: Date, zone: TimeZone, daysBack = 0): Date {
  const day = dayIn(at, zone);
  return dayStartIn({ ...day, day: day.day - daysBack }, zone);
}

/** The start of the month holding `at`, in `zone`. */
export function startOfMonth(at: Date, zone: TimeZone): Date {
  return dayStartIn({ ...dayIn(at, zone), day: 1 }, zone);
}

/** `2025-06-15 14:03:09` in `zone`. */
export function dateTime(at: Date, zone: TimeZone): string {
  return wallTimeIn(at, zone).toISOString().slice(0, 19).replace("T", " ");
}

/** Which day of `zone` `at` falls on, as a number that changes at its midnights (for change checks). */
export const dayNumber = (at: Date, zone: TimeZone): number => Math.floor(wallTimeIn(at, zone).getTime() / DAY);

/** How the zone reads on screen: `UTC`, or its name. */
export const zoneLabel = (zone: TimeZone): string => (zone === "UTC" || zone === "Etc/UTC" ? "UTC" : zone);
