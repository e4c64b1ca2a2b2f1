import { checkTagKey, ValidationError } from "@llm-accounting/core";
import { UsageError } from "../errors.js";

/**
 * A yargs `coerce` for a repeatable `--tag key=value` flag: the pairs as an object (undefined when
 * absent). The key is checked here so the message names the flag; values are checked where they
 * are used (`trackUsage` names `tags.<key>`). A key given twice is refused rather than one winning.
 */
export const tagFlags = (flag: string) => (value: unknown): Record<string, string> | undefined => {
  if (value === undefined) return undefined;
  const tags: Record<string, string> = {};
  for (const item of (Array.isArray(value) ? value : [value]).map(String)) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new UsageError(`--${flag} must be key=value (got "${item}")`);
    const key = item.slice(0, eq);
    try {
      checkTagKey(key, `--${flag}`);
    } catch (error) {
      throw error instanceof ValidationError ? new UsageError(error.message) : error;
    }
    if (key in tags) throw new UsageError(`--${flag} names "${key}" twice`);
    tags[key] = item.slice(eq + 1);
  }
  return tags;
};

/** The key of a `--by tag:<key>` choice, or undefined for a column name. */
export function tagOfBy(by: string | undefined): string | undefined {
  return by?.startsWith("tag:") ? by.slice(4) : undefined;
}
