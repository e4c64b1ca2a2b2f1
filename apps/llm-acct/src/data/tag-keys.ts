import { checkTagKey, ValidationError } from "@llm-accounting/core";

/**
 * The `--tag-key` values, checked: a bad key is a RangeError (a usage error, exit 2) naming the flag,
 * raised before any store is opened.
 */
export function dashboardTagKeys(given: readonly unknown[] | undefined): string[] {
  const keys = (given ?? []).map(String);
  for (const key of keys) {
    try {
      checkTagKey(key, "--tag-key");
    } catch (error) {
      throw error instanceof ValidationError ? new RangeError(error.message) : error;
    }
  }
  return [...new Set(keys)];
}
