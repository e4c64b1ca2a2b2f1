import type { UsageLimit } from "../store/limit-records.js";
import { isRolling, windowReset, windowStart } from "../quota/window.js";

const DAY_MS = 86_400_000;

/** The window an alert is about; `key` makes (limit, threshold, key) unique in the store. */
export interface AlertWindow {
  readonly key: string;
  readonly start: Date;
  readonly end: Date | null;
  /**
   * Rolling windows: a crossing at or after this instant is a repeat of an earlier alert of the
   * same limit and threshold (one window length back), and is not alerted again. Null for fixed windows.
   */
  readonly quietSince: Date | null;
}

/** One rolling window's length in ms, fixed per unit (a month counts 30 days) so slots are stable. */
function rollingLengthMs(limit: UsageLimit, start: Date, now: Date): number {
  if (limit.intervalUnit === "monthly_rolling") return 30 * DAY_MS * limit.intervalValue;
  // Rolling windows start on whole seconds: measured from `now` cut to its second, the length is exact.
  return Math.floor(now.getTime() / 1000) * 1000 - start.getTime();
}

/**
 * The window of a limit at `now`, as alerts key it. Fixed windows: the window's start (ISO), so a
 * threshold alerts once per window. Rolling windows have no start of their own: the key is the
 * window-length slot of the Unix epoch the crossing falls in (`rolling:<slot start>`), and a
 * crossing within one window length of the last alert of the same threshold is skipped, so a
 * sustained overrun alerts once per window length.
 */
export function alertWindow(limit: UsageLimit, now: Date): AlertWindow {
  const start = windowStart(now, limit.intervalUnit, limit.intervalValue);
  if (!isRolling(limit.intervalUnit)) return { key: start.toISOString(), start, end: windowReset(now, limit.intervalUnit, limit.intervalValue), quietSince: null };
  const length = rollingLengthMs(limit, start, now);
  const slot = Math.floor(now.getTime() / length) * length;
  return { key: `rolling:${new Date(slot).toISOString()}`, start, end: null, quietSince: new Date(now.getTime() - length) };
}
