import { dateTime, startOfDay, startOfMonth, zonedMidnight, type TimeZone } from "./zone.js";

/** The periods the dashboard's selector cycles through; `custom` is entered as two dates. */
export const PERIODS = ["today", "7d", "30d", "month"] as const;
/** A dashboard period. */
export type Period = (typeof PERIODS)[number] | { readonly start: Date; readonly end: Date };

/** The range a period covers up to `now`, days starting at midnight in `zone`: today from 00:00, the last 7 or 30 days, this month, or custom days. */
export function periodRange(period: Period, now: Date, zone: TimeZone = "UTC"): { start: Date; end: Date } {
  if (typeof period === "object") return period;
  const start = { today: () => startOfDay(now, zone), "7d": () => startOfDay(now, zone, 6), "30d": () => startOfDay(now, zone, 29), month: () => startOfMonth(now, zone) }[period]();
  return { start, end: now };
}

/** The next named period in the selector (a custom period goes back to the first). */
export const nextPeriod = (period: Period): Period => (typeof period === "object" ? PERIODS[0] : PERIODS[(PERIODS.indexOf(period) + 1) % PERIODS.length]!);

/** How a period reads in the header. */
export const periodLabel = (period: Period, zone: TimeZone = "UTC"): string =>
  typeof period === "object" ? `${dateTime(period.start, zone).slice(0, 10)}..${dateTime(period.end, zone).slice(0, 10)}` : period;

/** Parses `YYYY-MM-DD YYYY-MM-DD` (inclusive days in `zone`) typed into the custom-period prompt; undefined if invalid. */
export function parseCustomPeriod(text: string, zone: TimeZone = "UTC"): { start: Date; end: Date } | undefined {
  const match = /^\s*(\d{4}-\d{2}-\d{2})\s*(?:\.\.|\s)\s*(\d{4}-\d{2}-\d{2})\s*$/.exec(text);
  if (!match) return undefined;
  const start = new Date(`${match[1]}T00:00:00.000Z`);
  const lastDay = new Date(`${match[2]}T00:00:00.000Z`);
  if (Number.isNaN(start.getTime()) || Number.isNaN(lastDay.getTime()) || lastDay < start) return undefined;
  if (start.toISOString().slice(0, 10) !== match[1] || lastDay.toISOString().slice(0, 10) !== match[2]) return undefined;
  const [y1, m1, d1] = match[1]!.split("-").map(Number) as [number, number, number];
  const [y2, m2, d2] = match[2]!.split("-").map(Number) as [number, number, number];
  return { start: zonedMidnight(y1, m1, d1, zone), end: new Date(zonedMidnight(y2, m2, d2 + 1, zone).getTime() - 1) };
}
