import { dayIn, dayStartIn } from "@llm-accounting/core";
import { BadParameterError } from "./api-errors.js";
import type { ApiRange } from "./query-params.js";

/** One calendar day of a range, clipped to the range (the first and last days may be partial). */
export interface DayBucket {
  /** The day as `YYYY-MM-DD` in the range's time zone. */
  readonly day: string;
  readonly start: Date;
  readonly end: Date;
}

/** Most days one `cost/daily` answer spans: each day is a store read, so a bound keeps a request cheap. */
export const MAX_DAYS = 400;

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** The days a range touches, in its time zone, oldest first; `since` is at fault when they are too many. */
export function dayBuckets(range: ApiRange): DayBucket[] {
  const days: DayBucket[] = [];
  let day = dayIn(range.since, range.timezone);
  let start = range.since;
  while (start.getTime() <= range.until.getTime()) {
    if (days.length === MAX_DAYS) throw new BadParameterError("since", `must be at most ${MAX_DAYS} days before until`);
    const next = { ...day, day: day.day + 1 };
    const nextStart = dayStartIn(next, range.timezone);
    days.push({ day: `${pad(day.year, 4)}-${pad(day.month)}-${pad(day.day)}`, start, end: new Date(Math.min(nextStart.getTime() - 1, range.until.getTime())) });
    // Normalise the rolled-over date (Jan 32 -> Feb 1) by reading it back from its instant.
    day = dayIn(nextStart, range.timezone);
    start = nextStart;
  }
  return days;
}
