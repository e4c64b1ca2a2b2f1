const HOUR_MS = 3_600_000;

/** How much of the last hour's rate goes into the burn rate; the rest comes from the last day's. */
export const FORECAST_HOUR_WEIGHT = 0.5;

/** What a forecast needs about one limit's window; amounts in the limit's unit (USD for cost). */
export interface ForecastInput {
  /** The instant the forecast is made for. */
  readonly now: Date;
  /** End of a fixed window; null for a rolling window (it always ends now). */
  readonly windowEnd: Date | null;
  /** Length of a rolling window in ms (ignored for fixed windows). */
  readonly rollingWindowMs: number;
  /** Usage counted in the window so far. */
  readonly used: number;
  /** Usage of the limit's filter in the hour before `now`. */
  readonly lastHour: number;
  /** Usage of the limit's filter in the 24 hours before `now`. */
  readonly lastDay: number;
  /** The limit's maximum; null when unlimited. */
  readonly maxValue: number | null;
}

/** Where a limit's usage is heading at the current burn rate. */
export interface UsageForecast {
  /** Usage per hour: a weighted mean of the last hour's and the last day's hourly rates. */
  readonly burnRatePerHour: number;
  /** Usage expected when the window ends (fixed), or in one full window at this rate (rolling). */
  readonly projectedUsage: number;
  /** When the limit is reached at this rate: `now` when already reached, null when not within the window. */
  readonly limitReachedAt: Date | null;
}

/**
 * The burn rate per hour: `w * lastHour + (1 - w) * lastDay / 24` with w = FORECAST_HOUR_WEIGHT,
 * so a burst shows at once while a quiet hour after a busy day does not read as zero.
 */
export function burnRatePerHour(lastHour: number, lastDay: number): number {
  return FORECAST_HOUR_WEIGHT * Math.max(0, lastHour) + (1 - FORECAST_HOUR_WEIGHT) * (Math.max(0, lastDay) / 24);
}

/**
 * Projects a limit's usage to the end of its window at the current burn rate. A fixed window
 * ends at `windowEnd`: projected = used + rate x hours left. A rolling window always ends now,
 * so its projection is what one full window holds if this rate goes on: rate x window length.
 * The limit is reached `(max - used) / rate` hours from now (fixed windows: only if before the
 * window's end; rolling: only if the projection exceeds the maximum, ignoring old usage leaving
 * the window, so the estimate errs early).
 */
export function forecastUsage(input: ForecastInput): UsageForecast {
  const rate = burnRatePerHour(input.lastHour, input.lastDay);
  const now = input.now.getTime();
  const hoursLeft = input.windowEnd === null ? input.rollingWindowMs / HOUR_MS : Math.max(0, input.windowEnd.getTime() - now) / HOUR_MS;
  const projectedUsage = input.windowEnd === null ? rate * hoursLeft : input.used + rate * hoursLeft;
  return { burnRatePerHour: rate, projectedUsage, limitReachedAt: reachedAt(input, rate, projectedUsage) };
}

function reachedAt(input: ForecastInput, rate: number, projected: number): Date | null {
  const max = input.maxValue;
  if (max === null) return null;
  if (input.used >= max) return input.now;
  if (rate <= 0 || projected < max) return null;
  return new Date(input.now.getTime() + Math.ceil(((max - input.used) / rate) * HOUR_MS));
}
