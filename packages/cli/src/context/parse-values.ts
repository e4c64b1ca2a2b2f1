import { parseInstant } from "@llm-accounting/core";
import { UsageError } from "../errors.js";

// Number flags are declared `type: "string", number: true`: yargs-parser keeps a flag that is also a
// string as typed (so these coercions see "ten", "0x10" or "" and can name it in the error, where
// type "number" alone would hand them NaN, 16 or 0), while --help shows it as [number].

/** A yargs `coerce` for a non-negative integer flag, with an error naming the flag. */
export const nonNegativeInteger = (flag: string) => (value: unknown): number | undefined => {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`--${flag} must be a non-negative integer (got "${String(value)}")`);
  }
  return Number(text);
};

/** A yargs `coerce` for an integer flag (negative allowed). */
export const integer = (flag: string) => (value: unknown): number | undefined => {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new UsageError(`--${flag} must be an integer (got "${String(value)}")`);
  return Number(text);
};

/** A yargs `coerce` for a non-negative decimal flag. */
export const nonNegativeNumber = (flag: string) => (value: unknown): number | undefined => {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  const parsed = Number(text);
  if (text === "" || !/^[0-9.eE+-]+$/.test(text) || !Number.isFinite(parsed) || parsed < 0) {
    throw new UsageError(`--${flag} must be a non-negative number (got "${String(value)}")`);
  }
  return parsed;
};

/** A yargs `coerce` for a timestamp flag: ISO-8601 or `YYYY-MM-DD HH:MM:SS` (UTC when no offset). */
export const timestamp = (flag: string) => (value: unknown): Date | undefined => {
  if (value === undefined) return undefined;
  try {
    return parseInstant(String(value), flag);
  } catch {
    throw new UsageError(`--${flag} must be a timestamp like "2025-01-31 13:45:00" or 2025-01-31T13:45:00Z (got "${String(value)}")`);
  }
};

/** A yargs `coerce` for a whole number flag of 1 or more. */
export const positiveInteger = (flag: string) => (value: unknown): number | undefined => {
  const parsed = nonNegativeInteger(flag)(value);
  if (parsed === 0) throw new UsageError(`--${flag} must be 1 or more (got "${String(value)}")`);
  return parsed;
};

/** A yargs `coerce` for a duration in seconds above 0 (fractions allowed). */
export const positiveSeconds = (flag: string) => (value: unknown): number | undefined => {
  const parsed = nonNegativeNumber(flag)(value);
  if (parsed === 0) throw new UsageError(`--${flag} must be a number of seconds above 0 (got "${String(value)}")`);
  // Node's timers (and PostgreSQL's statement_timeout) stop at 2^31 - 1 ms.
  if (parsed !== undefined && parsed * 1000 > 2 ** 31 - 1) throw new UsageError(`--${flag} must be at most 2147483 seconds (about 24.8 days; got "${String(value)}")`);
  return parsed;
};
