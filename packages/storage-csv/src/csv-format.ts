import { parse } from "csv-parse/sync";

/** A CSV field value: null is written as an empty field, "" as a quoted empty string, so both survive. */
export type Field = string | null;

/**
 * Lines for these records: RFC 4180 quoting (quotes doubled; a field with a comma, quote, CR or
 * LF is quoted), plus the empty string quoted and null left empty, which a CSV writer library
 * cannot tell apart. Newlines inside fields are kept as they are.
 */
export function formatRecords(records: readonly (readonly Field[])[]): string {
  const field = (value: Field) => (value === null ? "" : value === "" || /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  return records.map((record) => `${record.map(field).join(",")}\n`).join("");
}

/** A parsed record and the 1-based line of the file it starts on. */
export interface ParsedRecord {
  readonly fields: Field[];
  readonly line: number;
}

/** Parses CSV text (no header) whose first line is `firstLine` of its file. */
export function parseRecords(text: string, firstLine: number): ParsedRecord[] {
  const rows = parse(text, {
    info: true,
    relax_column_count: true,
    // An unquoted empty field is null; a quoted one is the empty string.
    cast: (value: string, context: { quoting: boolean }) => (value === "" && !context.quoting ? null : value),
  }) as unknown as { record: Field[]; info: { lines: number } }[];
  let previousEnd = firstLine - 1;
  return rows.map(({ record, info }) => {
    // info.lines counts the lines consumed up to the end of this record.
    const line = previousEnd + 1;
    previousEnd = firstLine - 1 + info.lines;
    return { fields: record, line };
  });
}
