import { ValidationError } from "../errors.js";
import { INTERVAL_UNITS, LIMIT_SCOPES, LIMIT_TYPES, type NewUsageLimit } from "../store/limit-records.js";
import { checkInterval } from "./window.js";
import { checkStorableName } from "../storable-text.js";
import { validateAlertThresholds } from "../alerts/alert-thresholds.js";
import { checkTagKey, TAG_VALUE_MAX_LENGTH } from "../usage/usage-tags.js";

/** A limit as callers hand it in (e.g. parsed JSON or CLI flags): every field still unchecked. */
export type LimitInput = { readonly [K in keyof NewUsageLimit]?: unknown };

const oneOf = <T extends string>(values: readonly T[], value: unknown, field: string): T => {
  if (typeof value === "string" && (values as readonly string[]).includes(value)) return value as T;
  throw new ValidationError(field, `must be one of ${values.join(", ")} (got ${JSON.stringify(value)})`);
};

const selector = (value: unknown, field: string): string | null => {
  if (value === null || value === undefined) return null;
  if (typeof value !== "string") throw new ValidationError(field, `must be a string or null (got ${JSON.stringify(value)})`);
  return checkStorableName(value, field);
};

/**
 * Checks a limit before it is stored: known scope, type and unit (exact, case-sensitive values
 * as in the original, so `user` is refused rather than guessed), a positive integer interval, a
 * finite max that is >= 0 or exactly -1, a project for PROJECT scope, a tag for TAG scope (and
 * only there), and alert
 * thresholds (`alertAt`) above 0 and at most 10. Throws
 * `ValidationError` naming the field; absent selectors become null.
 */
export function validateLimit(input: LimitInput): NewUsageLimit {
  if (input === null || typeof input !== "object") throw new ValidationError("limit", "must be an object");
  const scope = oneOf(LIMIT_SCOPES, input.scope, "scope");
  const limitType = oneOf(LIMIT_TYPES, input.limitType, "limitType");
  const intervalUnit = oneOf(INTERVAL_UNITS, input.intervalUnit, "intervalUnit");
  const intervalValue = input.intervalValue;
  if (typeof intervalValue !== "number") throw new ValidationError("intervalValue", `must be a positive integer (got ${JSON.stringify(intervalValue)})`);
  checkInterval(intervalUnit, intervalValue);
  const maxValue = input.maxValue;
  if (typeof maxValue !== "number" || !Number.isFinite(maxValue) || (maxValue < 0 && maxValue !== -1)) {
    throw new ValidationError("maxValue", `must be a number >= 0, or -1 for unlimited (got ${JSON.stringify(maxValue)})`);
  }
  const limit: NewUsageLimit = {
    scope,
    limitType,
    maxValue,
    intervalUnit,
    intervalValue,
    model: selector(input.model, "model"),
    username: selector(input.username, "username"),
    callerName: selector(input.callerName, "callerName"),
    projectName: selector(input.projectName, "projectName"),
    ...(input.tag !== undefined && input.tag !== null && { tag: limitTag(input.tag) }),
    ...(input.alertAt !== undefined && input.alertAt !== null && { alertAt: validateAlertThresholds(input.alertAt) }),
  };
  // An empty project would read as "no project" everywhere else (see usageFilterFor), so refuse it too.
  if (scope === "PROJECT" && !limit.projectName) throw new ValidationError("projectName", "is required when scope is PROJECT");
  if (scope === "TAG" && !limit.tag) throw new ValidationError("tag", "is required when scope is TAG (key=value, or key=* for any value)");
  if (scope !== "TAG" && limit.tag) throw new ValidationError("tag", `is only allowed when scope is TAG (got scope ${scope})`);
  return limit;
}

/** A limit's tag: a valid tag key and a value as a record's tag value would be (`*`: any value). */
function limitTag(value: unknown): { key: string; value: string } {
  if (typeof value !== "object" || Array.isArray(value)) throw new ValidationError("tag", "must be an object { key, value }");
  const { key, value: tagValue } = value as { key?: unknown; value?: unknown };
  checkTagKey(key, "tag.key");
  if (typeof tagValue !== "string" || tagValue === "") throw new ValidationError("tag.value", `must be a non-empty string, or * for any value (got ${JSON.stringify(tagValue)})`);
  return { key: key as string, value: checkStorableName(tagValue, "tag.value", TAG_VALUE_MAX_LENGTH) };
}
