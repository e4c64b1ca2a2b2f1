import { ValidationError } from "../errors.js";

/** Most thresholds one limit may carry. */
export const MAX_ALERT_THRESHOLDS = 10;

/**
 * Checks alert thresholds (fractions of a limit's maximum: 0.8 = 80 %): each a finite number
 * above 0 and at most 10, at most `MAX_ALERT_THRESHOLDS`; returns them sorted without repeats.
 * Throws `ValidationError` naming `field`.
 */
export function validateAlertThresholds(value: unknown, field = "alertAt"): number[] {
  if (!Array.isArray(value)) throw new ValidationError(field, `must be a list of fractions such as [0.5, 0.8, 1] (got ${JSON.stringify(value)})`);
  if (value.length > MAX_ALERT_THRESHOLDS) throw new ValidationError(field, `must hold at most ${MAX_ALERT_THRESHOLDS} thresholds (got ${value.length})`);
  for (const t of value) {
    if (typeof t !== "number" || !Number.isFinite(t) || t <= 0 || t > 10) throw new ValidationError(field, `must hold fractions above 0 and at most 10, e.g. 0.8 for 80% (got ${JSON.stringify(t)})`);
  }
  return [...new Set(value as number[])].sort((a, b) => a - b);
}

/** Parses `50,80,100` (percent, as the CLI takes them) into fractions; throws `ValidationError` naming `field`. */
export function parseAlertPercents(text: string, field = "alert-at"): number[] {
  const parts = text.split(",").map((p) => p.trim());
  const numbers = parts.map((p) => (p === "" ? Number.NaN : Number(p)));
  const bad = numbers.findIndex((n) => !Number.isFinite(n));
  if (bad >= 0) throw new ValidationError(field, `must be comma-separated percentages such as 50,80,100 (got ${JSON.stringify(text)})`);
  return validateAlertThresholds(numbers.map((n) => n / 100), field);
}

/** The stored text form of thresholds (`0.5,0.8,1`); null for none. */
export const alertThresholdsText = (thresholds: readonly number[] | undefined): string | null => (thresholds && thresholds.length > 0 ? thresholds.join(",") : null);

/** Thresholds from their stored text form; an empty list for null or empty text. */
export const alertThresholdsFromText = (text: unknown): number[] => (typeof text === "string" && text !== "" ? text.split(",").map(Number).filter((n) => Number.isFinite(n) && n > 0) : []);
