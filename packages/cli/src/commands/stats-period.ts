import { UsageError } from "../errors.js";
import { dayIn, dayStartIn } from "@llm-accounting/core";

/** A named reporting period. */
export type PeriodName = "daily" | "weekly" | "monthly" | "yearly";

/** A resolved reporting range with its title word. */
export interface ReportRange {
  readonly label: "Daily" | "Weekly" | "Monthly" | "Yearly" | "Custom";
  readonly start: Date;
  readonly end: Date;
}

/**
 * The range a period covers, on the calendar of `zone` (default UTC): from the start of the
 * current day, ISO week (Monday), month or year up to `now`. A custom range runs from `since` to
 * `until` (both included; `now` when omitted): day bounds are already widened by `parseTimeBound`.
 */
export function reportRange(period: PeriodName | undefined, since: Date | undefined, until: Date | undefined, now: Date, zone = "UTC"): ReportRange {
  if (period) {
    const today = dayIn(now, zone);
    const weekday = (new Date(Date.UTC(today.year, today.month - 1, today.day)).getUTCDay() + 6) % 7;
    const from = {
      daily: today,
      weekly: { ...today, day: today.day - weekday },
      monthly: { ...today, day: 1 },
      yearly: { year: today.year, month: 1, day: 1 },
    }[period];
    const label = ({ daily: "Daily", weekly: "Weekly", monthly: "Monthly", yearly: "Yearly" } as const)[period];
    return { label, start: dayStartIn(from, zone), end: now };
  }
  if (since) {
    const end = until ?? now;
    if (end < since) throw new UsageError(until ? "--until must not be before --since" : "--since must not be in the future (without --until the range ends now)");
    return { label: "Custom", start: since, end };
  }
  if (until) throw new UsageError("--since is required with --until (a range needs a start)");
  throw new UsageError(
    "Please specify a time period (--period daily|weekly|monthly|yearly, or --daily/--weekly/--monthly/--yearly) or a range (--since, and --until unless up to now)",
  );
}
