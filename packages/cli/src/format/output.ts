import { escapeJsonInvisibles } from "@llm-accounting/core";
import { csvLine } from "./csv.js";
import { toJson } from "./json.js";
import { writeOut } from "./stream-output.js";
import type { CliIo } from "../io.js";

/** The formats every listing command offers. */
export const LIST_FORMATS = ["table", "json", "csv", "ndjson"] as const;
/** The formats of a command that reports one result: a line of text, or the result as JSON. */
export const RESULT_FORMATS = ["text", "json"] as const;
/** `text` (the original's lines, the default) then `LIST_FORMATS`: listings that keep their original output (`projects list`, `users list`, `limits list`). */
export const TEXT_OR_LIST_FORMATS = ["text", ...LIST_FORMATS] as const;
/** `LIST_FORMATS` plus `text`, the table's name before the formats were unified: scripts may still pass it. */
export const TABLE_OR_TEXT_FORMATS = [...LIST_FORMATS, "text"] as const;
/** One of `LIST_FORMATS`, or `text` on the commands that keep their original line output. */
export type ListFormat = (typeof LIST_FORMATS)[number] | "text";

/** What a listing command hands the output layer besides its records. */
export interface Listing<R> {
  /** The lines of the table format (the command's own empty message included). */
  readonly table: (records: readonly R[]) => readonly string[];
  /** The lines of `text`, on commands that keep it; `table` otherwise. */
  readonly text?: (records: readonly R[]) => readonly string[];
  /**
   * The value `--format json` prints when it is more than the records (a report, a result);
   * the records array otherwise. csv and ndjson always print the records, one per row.
   */
  readonly document?: unknown;
  /** Column name for records that are bare values (project names), in csv. */
  readonly valueColumn?: string;
  /** Print csv's header row (default true); false for a later batch of the same listing (`tail -f`). */
  readonly csvHeader?: boolean;
}

// bigint is exact as a decimal string; JSON.stringify applies each value's toJSON (the library's JSON form).
const bigintAsString = (_key: string, value: unknown): unknown => (typeof value === "bigint" ? value.toString() : value);

/** A record's JSON form as plain data: what `JSON.parse` of `--format json` gives for it. */
export const jsonForm = (record: unknown): unknown => JSON.parse(JSON.stringify(record, bigintAsString) ?? "null") as unknown;

/**
 * Writes `records` in `format`: a table (or text), one JSON document, NDJSON (one record's JSON
 * form a line) or CSV (a header of JSON field names, nested objects as `parent.child`, then a row
 * per record). Strings go through the shared escaping: `visibleText` in tables and CSV,
 * `escapeJsonInvisibles` in JSON.
 */
export async function writeListing<R>(io: CliIo, format: ListFormat, records: readonly R[], listing: Listing<R>): Promise<void> {
  if (format === "json") return writeOut(io, `${toJson(listing.document ?? records)}\n`);
  if (format === "ndjson") {
    for (const record of records) await writeOut(io, `${escapeJsonInvisibles(JSON.stringify(record, bigintAsString) ?? "null")}\n`);
    return;
  }
  if (format === "csv") return writeOut(io, csvText(records.map(jsonForm), listing.valueColumn ?? "value", listing.csvHeader ?? true));
  const lines = format === "text" && listing.text ? listing.text(records) : listing.table(records);
  for (const line of lines) await writeOut(io, `${line}\n`);
}

/** CSV of JSON forms: the header (unless `withHeader` is false) is every field path in first-seen order; a missing field is empty. */
export function csvText(forms: readonly unknown[], valueColumn: string, withHeader = true): string {
  // No record, no field names to head the columns: an empty CSV has no rows at all.
  if (forms.length === 0) return "";
  const rows = forms.map((form) => flatten(form, valueColumn));
  const header: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) for (const key of row.keys()) if (!seen.has(key)) {
    seen.add(key);
    header.push(key);
  }
  let text = withHeader ? `${csvLine(header)}\n` : "";
  for (const row of rows) text += `${csvLine(header.map((key) => row.get(key) ?? null))}\n`;
  return text;
}

// A nested object becomes `parent.child` columns so every JSON field keeps its name; an array
// (no record has one today) is kept whole as JSON text in one cell.
function flatten(form: unknown, valueColumn: string): Map<string, unknown> {
  const row = new Map<string, unknown>();
  const walk = (value: unknown, path: string) => {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const [key, child] of Object.entries(value)) walk(child, path ? `${path}.${key}` : key);
    } else row.set(path || valueColumn, Array.isArray(value) ? JSON.stringify(value) : value);
  };
  walk(form, "");
  return row;
}
