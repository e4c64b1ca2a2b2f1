/** One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF; null is empty. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = value instanceof Date ? value.toISOString() : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A CSV line from values. */
export const csvLine = (values: readonly unknown[]): string => values.map(csvField).join(",");
