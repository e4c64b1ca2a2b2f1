import { UsageError } from "../errors.js";

/** A named reporting period. */
export type PeriodName = "daily" | "weekly" | "monthly" | "yearly";

/** A resolved reporting range with its title word. */
export interface ReportRange {
  readonly label: "Daily" | "Weekly" | "Monthly" | "Yearly" | "Custom";
  readonly start: Date;
  readonly end: Date;
}

const DAY = 86_400_000;

/**
 * The range a period covers, in UTC: from the start of the current day, ISO week (Monday),
 * month or year up to `now`. Custom ranges run from `start` 00:00 to the end of `end`'s day.
 */
export function reportRange(period: PeriodName | undefined, start: Date | undefined, end: Date | undefined, now: Date): ReportRange {
  if (period) {
    const y = now.getUTCFullYear();
    const m = now.getUTCMonth();
    const today = Date.UTC(y, m, now.getUTCDate());
    const from = {
      daily: today,
      weekly: today - ((now.getUTCDay() + 6) % 7) * DAY,
      monthly: Date.UTC(y, m, 1),
      yearly: Date.UTC(y, 0, 1),
    }[period];
    const label = ({ daily: "Daily", weekly: "Weekly", monthly: "Monthly", yearly: "Yearly" } as const)[period];
    return { label, start: new Date(from), end: now };
  }
  if (start && end) {
    const last = new Date(end.getTime() + DAY - 1);
    if (last < start) throw new UsageError("--end must not be before --start");
    return { label: "Custom", start, end: last };
  }
  if (start || end) throw new UsageError(start ? "--end is required with --start (a custom range needs both)" : "--start is required with --end (a custom range needs both)");
  throw new UsageError(
    "Please specify a time period (--period daily|weekly|monthly|yearly, or --daily/--weekly/--monthly/--yearly) or a custom range (--start and --end)",
  );
}
