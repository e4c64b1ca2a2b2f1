import { ValidationError } from "./errors.js";

/** A point in time accepted by the API: a Date or an ISO-8601 / `YYYY-MM-DD HH:MM:SS` string. */
export type InstantInput = Date | string;

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses an instant. Strings without an offset are read as UTC (one rule everywhere, unlike the
 * Python original, which reads them as machine-local time); a date alone means its 00:00 UTC.
 */
export function parseInstant(value: InstantInput, field = "timestamp"): Date {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new ValidationError(field, "is an invalid Date");
    return value;
  }
  if (typeof value !== "string") throw new ValidationError(field, `must be a Date or an ISO-8601 string (got ${typeof value})`);
  const text = value.trim();
  let iso: string | undefined;
  if (DATE_ONLY.test(text)) iso = `${text}T00:00:00Z`;
  else {
    const match = DATE_TIME.exec(text);
    if (match) {
      const [, date, time, offset] = match;
      // Date parses at most milliseconds; drop the sub-millisecond digits rather than fail.
      const trimmedTime = (time ?? "").replace(/(\.\d{3})\d+$/, "$1");
      iso = `${date}T${trimmedTime}${offset ? (offset.toUpperCase() === "Z" ? "Z" : offset.length === 5 ? `${offset.slice(0, 3)}:${offset.slice(3)}` : offset) : "Z"}`;
    }
  }
  const parsed = iso === undefined ? Number.NaN : Date.parse(iso);
  if (Number.isNaN(parsed) || !roundTrips(iso ?? "", parsed)) {
    throw new ValidationError(field, `is not a valid timestamp (got "${value}"; use ISO-8601, e.g. 2025-01-31T13:45:00Z)`);
  }
  return new Date(parsed);
}

// Date.parse accepts 2025-02-30 by rolling over; reject dates whose calendar fields changed.
function roundTrips(iso: string, parsed: number): boolean {
  const offsetMatch = /([+-])(\d{2}):(\d{2})$/.exec(iso);
  const offsetMinutes = offsetMatch ? (offsetMatch[1] === "-" ? -1 : 1) * (Number(offsetMatch[2]) * 60 + Number(offsetMatch[3])) : 0;
  const local = new Date(parsed + offsetMinutes * 60_000).toISOString();
  return local.slice(0, 10) === iso.slice(0, 10) && local.slice(11, 13) === iso.slice(11, 13);
}
