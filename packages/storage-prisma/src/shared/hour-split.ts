import type { TimeRange } from "@llm-accounting/core";

const HOUR_MS = 3_600_000;

/**
 * How a report over an inclusive range reads the data: whole UTC hours inside the range come
 * from the `usage_hourly` rollup (`[hoursFrom, hoursTo)`); the ragged edges, `[start, hoursFrom)`
 * and `[hoursTo, end]`, from the entries themselves. Timestamps have millisecond precision.
 */
export interface HourSplit {
  readonly start: Date;
  readonly hoursFrom: Date;
  readonly hoursTo: Date;
  readonly end: Date;
}

/** Splits a range into the rollup part and the raw edges (pure; see `HourSplit`). */
export function splitByHour(range: TimeRange): HourSplit {
  return splitBy(range, HOUR_MS);
}

/** Splits a range into whole UTC days (for the daily rollup) and the raw edges. */
export function splitByDay(range: TimeRange): HourSplit {
  return splitBy(range, 24 * HOUR_MS);
}

function splitBy(range: TimeRange, unitMs: number): HourSplit {
  const start = range.start.getTime();
  const end = range.end.getTime();
  const firstFull = Math.ceil(start / unitMs) * unitMs;
  const afterLastFull = Math.floor((end + 1) / unitMs) * unitMs;
  if (firstFull >= afterLastFull) {
    return { start: range.start, hoursFrom: range.start, hoursTo: range.start, end: range.end };
  }
  return { start: range.start, hoursFrom: new Date(firstFull), hoursTo: new Date(afterLastFull), end: range.end };
}

/** Parameters of a range-sum query in placeholder order: start, hoursFrom, hoursTo, end. */
export const splitParams = <T>(split: HourSplit, encode: (d: Date) => T): T[] => [
  encode(split.hoursFrom),
  encode(split.hoursTo),
  encode(split.start),
  encode(split.hoursFrom),
  encode(split.hoursTo),
  encode(split.end),
];
