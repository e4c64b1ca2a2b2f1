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
 * month or year up to `now`. A custom range runs from `since` to `until` (both included; `now`
 * when omitted): day bounds are already widened by `parseTimeBound`.
 */
export function reportRange(period: PeriodName | undefined, since: Date | undefined, until: Date | undefined, now: Date): ReportRange {
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
