import { ValidationError } from "./errors.js";

/**
 * Most characters (Unicode code points) in a name: model, provider, username, callerName, project,
 * session, appName, logType, and the projects and users registered. The same on every store.
 *
 * Why 128: PostgreSQL refuses an index entry over 2,704 bytes, and its widest index over names
 * (the unique key of usage_limits: scope, type, model, username, caller and project) holds four
 * of them. Four names of 128 four-byte characters are 2,048 bytes, which leaves room for the
 * entry's headers and the other key columns.
 */
export const NAME_MAX_LENGTH = 128;

/** Most characters in a text that no index holds but that is still an identifier: email, ouName, remoteCompletionId. */
export const SHORT_TEXT_MAX_LENGTH = 256;

// An unpaired UTF-16 surrogate: no UTF-8 form exists, so drivers would store U+FFFD instead.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Checks a name a store keeps and indexes: text any store can hold, at most `max` characters. Throws `ValidationError` naming `field`. */
export function checkStorableName(value: string, field: string, max = NAME_MAX_LENGTH): string {
  if (typeof value !== "string") throw new ValidationError(field, `must be a string (got ${typeof value})`);
  // A string no longer than `max` UTF-16 units has at most `max` code points: counting is rarely needed.
  if (value.length > max) {
    const characters = countCodePoints(value, max);
    if (characters > max) throw new ValidationError(field, `must be at most ${max} characters (got ${value.length > 100_000 ? "over 100000" : countCodePoints(value, Infinity)})`);
  }
  return checkStorableText(value, field);
}

/** Checks free text a store keeps (prompts, notes): no NUL character, which PostgreSQL text cannot hold, and valid Unicode. */
export function checkStorableText(value: string, field: string): string {
  if (typeof value !== "string") throw new ValidationError(field, `must be a string (got ${typeof value})`);
  const nul = value.indexOf("\u0000");
  if (nul !== -1) throw new ValidationError(field, `must not contain a NUL character (\\u0000, at index ${nul})`);
  const lone = LONE_SURROGATE.exec(value);
  if (lone) throw new ValidationError(field, `must be valid Unicode (an unpaired surrogate at index ${lone.index})`);
  return value;
}

/** The same check for a value that may be null (null passes). */
export function checkOptionalName(value: string | null, field: string, max = NAME_MAX_LENGTH): string | null {
  return value === null || value === undefined ? null : checkStorableName(value, field, max);
}

// Stops counting just past `max`: a huge value need not be walked to the end.
function countCodePoints(value: string, max: number): number {
  let count = 0;
  for (let i = 0; i < value.length && count <= max; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}
