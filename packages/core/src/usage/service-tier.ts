import { ValidationError } from "../errors.js";

const SERVICE_TIER = /^[a-z][a-z0-9_-]{0,31}$/;

/** A service tier as stored (a lower-case word of up to 32 letters, digits, `_` or `-`), or null when none is given. */
export function checkServiceTier(value: unknown, field: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== "string") throw new ValidationError(field, `must be a string (got ${String(value)})`);
  if (!SERVICE_TIER.test(value)) throw new ValidationError(field, `must be a lower-case word of up to 32 letters, digits, _ or - (got ${JSON.stringify(value)})`);
  return value;
}
