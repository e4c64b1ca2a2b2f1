import { escapeJsonInvisibles, type QueryValue } from "@llm-accounting/core";
import { csvLine } from "./csv.js";

/** A value as table text: dates in ISO-8601, bytes as their size, null as empty. */
export const cellText = (value: QueryValue): string =>
  value === null ? "" : value instanceof Date ? value.toISOString() : value instanceof Uint8Array ? `<${value.length} bytes>` : String(value);

// JSON has no bigint or bytes: an exact decimal string, and hex.
const jsonValue = (value: QueryValue): unknown => (typeof value === "bigint" ? value.toString() : value instanceof Uint8Array ? Buffer.from(value).toString("hex") : value);

/** One row as a JSON object of its columns (duplicate names: the last wins, as in an object). */
export function rowObject(columns: readonly string[], row: readonly QueryValue[]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  columns.forEach((name, i) => {
    object[name] = jsonValue(row[i] ?? null);
  });
  return object;
}

/** One row as a CSV line. */
export const rowCsv = (row: readonly QueryValue[]): string => csvLine(row.map((value) => (value instanceof Uint8Array ? cellText(value) : value)));

// JSON keeps names exact; escapeJsonInvisibles writes what JSON.stringify leaves raw (C1, bidi) as \uXXXX.

/** One row as an element of a pretty-printed JSON array (indented as `JSON.stringify(rows, null, 2)` would). */
export const rowJsonElement = (columns: readonly string[], row: readonly QueryValue[]): string =>
  `  ${escapeJsonInvisibles(JSON.stringify(rowObject(columns, row), null, 2)).replaceAll("\n", "\n  ")}`;

/** One row as an NDJSON line. */
export const rowNdjson = (columns: readonly string[], row: readonly QueryValue[]): string => escapeJsonInvisibles(JSON.stringify(rowObject(columns, row)));
