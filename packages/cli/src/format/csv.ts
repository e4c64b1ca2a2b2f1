import { visibleText } from "@llm-accounting/core";

/**
 * One CSV field (RFC 4180): quoted when it holds a comma or quote; null is empty. Control characters
 * are shown escaped, as in tables (a CSV is often read in a terminal); `--format json` is exact.
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = visibleText(value instanceof Date ? value.toISOString() : String(value));
  return /[",]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A CSV line from values. */
export const csvLine = (values: readonly unknown[]): string => values.map(csvField).join(",");
