/** An IANA time zone name (`Europe/Prague`) or `UTC`: where the dashboard's days start and how it writes times. */
export type TimeZone = string;

const DAY = 86_400_000;
const formats = new Map<string, Intl.DateTimeFormat>();
function format(zone: TimeZone): Intl.DateTimeFormat {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
    formats.set(zone, f);
  }
  return f;
}

/** The terminal's own zone (what `--timezone` defaults to). */
export const localZone = (): TimeZone => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

/** The zone as given when valid (`utc` reads `UTC`); throws a RangeError naming it otherwise. */
export function checkZone(zone: string): TimeZone {
  if (zone.toUpperCase() === "UTC") return "UTC";
  try {
    format(zone);
    return zone;
  } catch {
    throw new RangeError(`unknown time zone "${zone}" (use an IANA name such as Europe/Prague, or UTC)`);
  }
}

/** The wall-clock fields of `at` in `zone`. */
function wall(at: Date, zone: TimeZone): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const p = Object.fromEntries(format(zone).formatToParts(at).map((x) => [x.type, x.value]));
  return { y: Number(p.year), mo: Number(p.month), d: Number(p.day), h: Number(p.hour), mi: Number(p.minute), s: Number(p.second) };
}

/** How far `zone`'s wall clock is ahead of UTC at `at`, in ms. */
export function zoneOffset(at: Date, zone: TimeZone): number {
  const w = wall(at, zone);
  return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant of wall time y-mo-d 00:00 in `zone` (month 1-based; days past the month's end roll over). */
export function zonedMidnight(y: number, mo: number, d: number, zone: TimeZone): Date {
  const guess = Date.UTC(y, mo - 1, d);
  // Twice: the offset at the guess may differ from the one at the answer around a DST change.
  const first = guess - zoneOffset(new Date(guess), zone);
  return new Date(guess - zoneOffset(new Date(first), zone));
}

/** The start of the day holding `at`, `daysBack` days earlier, in `zone`. */
export function startOfDay(at: Date, zone: TimeZone, daysBack = 0): Date {
  const w = wall(at, zone);
  return zonedMidnight(w.y, w.mo, w.d - daysBack, zone);
}

/** The start of the month holding `at`, in `zone`. */
export function startOfMonth(at: Date, zone: TimeZone): Date {
  const w = wall(at, zone);
  return zonedMidnight(w.y, w.mo, 1, zone);
}

/** `2025-06-15 14:03:09` in `zone`. */
export function dateTime(at: Date, zone: TimeZone): string {
  const w = wall(at, zone);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${w.y}-${two(w.mo)}-${two(w.d)} ${two(w.h)}:${two(w.mi)}:${two(w.s)}`;
}

/** Which day of `zone` `at` falls on, as a number that changes at its midnights (for change checks). */
export const dayNumber = (at: Date, zone: TimeZone): number => Math.floor((at.getTime() + zoneOffset(at, zone)) / DAY);

/** How the zone reads on screen: `UTC`, or its name. */
export const zoneLabel = (zone: TimeZone): string => (zone === "UTC" || zone === "Etc/UTC" ? "UTC" : zone);
