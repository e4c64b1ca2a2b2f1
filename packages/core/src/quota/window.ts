import { ValidationError } from "../errors.js";
import { INTERVAL_UNITS, type IntervalUnit } from "../store/limit-records.js";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
// 1970-01-05 was a Monday: the origin of multi-week windows.
const FIRST_MONDAY = 4 * DAY;

const FIXED_MS: Partial<Record<IntervalUnit, number>> = { second: SECOND, minute: MINUTE, hour: HOUR, day: DAY, week: WEEK };
const ROLLING_MS: Partial<Record<IntervalUnit, number>> = {
  second_rolling: SECOND,
  minute_rolling: MINUTE,
  hour_rolling: HOUR,
  day_rolling: DAY,
  week_rolling: WEEK,
};

/** True for the sliding (`*_rolling`) units. */
export const isRolling = (unit: IntervalUnit): boolean => unit.endsWith("_rolling");

/** Checks a unit and interval value, naming the field at fault. */
export function checkInterval(unit: IntervalUnit, n: number): void {
  if (!(INTERVAL_UNITS as readonly string[]).includes(unit)) {
    throw new ValidationError("intervalUnit", `must be one of ${INTERVAL_UNITS.join(", ")} (got ${JSON.stringify(unit)})`);
  }
  if (!Number.isSafeInteger(n) || n < 1) throw new ValidationError("intervalValue", `must be a positive integer (got ${n})`);
}

/** Adds calendar months in UTC, clamping the day to the target month's length (Mar 31 - 1 month = Feb 29). */
export function addMonthsUtc(date: Date, months: number): Date {
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const day = Math.min(date.getUTCDate(), lastDay);
  return new Date(Date.UTC(y, m, day, date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds(), date.getUTCMilliseconds()));
}

const truncateToSecond = (now: Date): number => Math.floor(now.getTime() / SECOND) * SECOND;

/**
 * Where the window containing `now` starts (docs/behaviour.md, "Windows"; in UTC, on `now` cut to whole seconds).
 * Fixed seconds, minutes and hours align within their minute, hour and day; days and weeks to
 * the epoch (weeks to Monday 1970-01-05); months to year 0 (N=3: quarters). Rolling windows
 * reach N units back; `monthly_rolling` N calendar months (the original jumped to the 1st).
 */
export function windowStart(now: Date, unit: IntervalUnit, n: number): Date {
  checkInterval(unit, n);
  const t = truncateToSecond(now);
  const rolling = ROLLING_MS[unit];
  if (rolling !== undefined) return new Date(t - n * rolling);
  if (unit === "monthly_rolling") return addMonthsUtc(new Date(t), -n);
  const d = new Date(t);
  switch (unit) {
    case "second": {
      const s = d.getUTCSeconds();
      return new Date(t - (s % n) * SECOND);
    }
    case "minute": {
      const m = d.getUTCMinutes();
      return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), m - (m % n)));
    }
    case "hour": {
      const h = d.getUTCHours();
      return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), h - (h % n)));
    }
    case "day": {
      const days = Math.floor(t / DAY);
      return new Date((days - mod(days, n)) * DAY);
    }
    case "week": {
      const weeks = Math.floor((t - FIRST_MONDAY) / WEEK);
      return new Date(FIRST_MONDAY + (weeks - mod(weeks, n)) * WEEK);
    }
    default: {
      const index = d.getUTCFullYear() * 12 + d.getUTCMonth();
      const start = Math.floor(index / n) * n;
      return new Date(Date.UTC(Math.floor(start / 12), start % 12, 1));
    }
  }
}

// Seconds, minutes and hours are aligned within their minute, hour and day, so when N does not
// divide 60 (or 24) the last window of each minute/hour/day is cut short by the next one.
const PARENT_MS: Partial<Record<IntervalUnit, number>> = { second: MINUTE, minute: HOUR, hour: DAY };

/**
 * When the fixed window containing `now` ends; null for rolling windows, which have no fixed end.
 * Unlike the original (start + N units), a window cut short by its minute, hour or day ends there.
 */
export function windowReset(now: Date, unit: IntervalUnit, n: number): Date | null {
  if (isRolling(unit)) {
    checkInterval(unit, n);
    return null;
  }
  const start = windowStart(now, unit, n);
  const fixed = FIXED_MS[unit];
  if (fixed === undefined) return addMonthsUtc(start, n);
  const end = start.getTime() + n * fixed;
  const parent = PARENT_MS[unit];
  return new Date(parent === undefined ? end : Math.min(end, (Math.floor(start.getTime() / parent) + 1) * parent));
}

/** When a row at `oldest` leaves a rolling window of N units (the earliest a full window can free up). */
export function rollingRetryAt(oldest: Date, unit: IntervalUnit, n: number): Date {
  checkInterval(unit, n);
  const rolling = ROLLING_MS[unit];
  return rolling !== undefined ? new Date(oldest.getTime() + n * rolling) : addMonthsUtc(oldest, n);
}

/**
 * The first instant from which a row stamped `at` no longer counts in a rolling window of N
 * units. Windows start on whole seconds and include their start, so a row leaves one second
 * after it is exactly N units old (rounded down to the second). `monthly_rolling` starts jump
 * back where months are clamped (Mar 30 and Mar 31 both reach back to Feb 29 with the time of
 * day kept), so a row can drop out and count again: this is when it leaves for good.
 */
export function rollingExitAt(at: Date, unit: IntervalUnit, n: number): Date {
  checkInterval(unit, n);
  const second = Math.floor(at.getTime() / SECOND) * SECOND;
  const rolling = ROLLING_MS[unit];
  if (rolling !== undefined) return new Date(second + n * rolling + SECOND);
  if (unit !== "monthly_rolling") throw new ValidationError("intervalUnit", `must be a rolling unit (got ${JSON.stringify(unit)})`);
  // The last instant that still reaches back to the row is in the month N months later: on the
  // row's day at its time of day, or the last day at that time when the row is on its month's
  // last day (every later day clamps to it); when that day does not exist, all of that month.
  const d = new Date(second);
  const year = d.getUTCFullYear();
  const target = d.getUTCMonth() + n;
  const day = d.getUTCDate();
  const lastDayOfTarget = daysInMonth(year, target);
  if (lastDayOfTarget < day) return new Date(Date.UTC(year, target + 1, 1));
  const onLastDay = day === daysInMonth(year, d.getUTCMonth());
  const lastCounted = Date.UTC(year, target, onLastDay ? lastDayOfTarget : day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds());
  return new Date(lastCounted + SECOND);
}

const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month + 1, 0)).getUTCDate();

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
