/** The periods the dashboard's selector cycles through; `custom` is entered as two dates. */
export const PERIODS = ["today", "7d", "30d", "month"] as const;
/** A dashboard period. */
export type Period = (typeof PERIODS)[number] | { readonly start: Date; readonly end: Date };

const DAY = 86_400_000;

/** The range a period covers up to `now`, in UTC: today from 00:00, the last 7 or 30 days, this month, or custom days. */
export function periodRange(period: Period, now: Date): { start: Date; end: Date } {
  if (typeof period === "object") return period;
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const start = {
    today,
    "7d": today - 6 * DAY,
    "30d": today - 29 * DAY,
    month: Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1),
  }[period];
  return { start: new Date(start), end: now };
}

/** The next named period in the selector (a custom period goes back to the first). */
export const nextPeriod = (period: Period): Period => (typeof period === "object" ? PERIODS[0] : PERIODS[(PERIODS.indexOf(period) + 1) % PERIODS.length]!);

/** How a period reads in the header. */
export const periodLabel = (period: Period): string =>
  typeof period === "object" ? `${period.start.toISOString().slice(0, 10)}..${period.end.toISOString().slice(0, 10)}` : period;

/** Parses `YYYY-MM-DD YYYY-MM-DD` (inclusive days, UTC) typed into the custom-period prompt; undefined if invalid. */
export function parseCustomPeriod(text: string): { start: Date; end: Date } | undefined {
  const match = /^\s*(\d{4}-\d{2}-\d{2})\s*(?:\.\.|\s)\s*(\d{4}-\d{2}-\d{2})\s*$/.exec(text);
  if (!match) return undefined;
  const start = new Date(`${match[1]}T00:00:00.000Z`);
  const lastDay = new Date(`${match[2]}T00:00:00.000Z`);
  if (Number.isNaN(start.getTime()) || Number.isNaN(lastDay.getTime()) || lastDay < start) return undefined;
  if (start.toISOString().slice(0, 10) !== match[1] || lastDay.toISOString().slice(0, 10) !== match[2]) return undefined;
  return { start, end: new Date(lastDay.getTime() + DAY - 1) };
}
