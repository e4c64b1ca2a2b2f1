import { USAGE_RECORD_COLUMNS, type CostSource, type UsageColumnKind, type UsageRecord, type UsageRecordColumn } from "@llm-accounting/core";
import { fieldCode } from "./field-code.js";

/** An `accounting_entries` row under Prisma's field names, without its tags; values as any driver returns them (the mapper converts). */
export type EntryRowValues = { readonly [field in "id" | UsageRecordColumn["field"]]?: unknown };

/** The `accounting_entries` columns a plain SELECT reads for a record, named as Prisma names the fields so `usageRecordFromRow` reads both paths' rows. */
export const ENTRY_SELECT = ["id", ...USAGE_RECORD_COLUMNS.map((c) => (c.name === c.field ? c.name : `${c.name} AS "${c.field}"`))].join(", ");

const COST_SOURCES: ReadonlySet<string> = new Set<CostSource>(["caller", "price", "unpriced", "provider"]);

const text = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

/** How a row's value of each kind of column becomes the record's (instants: by the `date` the caller gives). */
const DECODE = {
  model: (value: unknown): string => String(value),
  name: text,
  tokens: (value: unknown): number => Number(value),
  seconds: (value: unknown): number => Number(value),
  nanos: (value: unknown): bigint => BigInt(value as bigint),
  // PostgreSQL and Prisma give a boolean, SQLite's driver 0 or 1.
  flag: (value: unknown): boolean => value === true || Number(value) === 1,
  // A cost source written by a newer version reads as null.
  costSource: (value: unknown): CostSource | null => {
    const source = text(value);
    return source !== null && COST_SOURCES.has(source) ? (source as CostSource) : null;
  },
} satisfies Record<Exclude<UsageColumnKind, "instant">, (value: unknown) => unknown>;

type RowReader = (row: EntryRowValues, date: (value: unknown) => Date, decode: typeof DECODE) => UsageRecord;

// One object literal naming every field in table order, e.g. `{ id: Number(row.id), timestamp:
// date(row.timestamp), model: decode.model(row.model), promptTokens: decode.tokens(row.promptTokens), ... }`:
// pages of a whole period go through here (see fieldCode for why it is generated).
const READ_ROW = fieldCode<RowReader>(
  USAGE_RECORD_COLUMNS.flatMap((c) => [c.field, c.kind]),
  ["row", "date", "decode"],
  `return { id: Number(row.id), ${USAGE_RECORD_COLUMNS.map((c) => `${c.field}: ${c.kind === "instant" ? "date" : `decode.${c.kind}`}(row.${c.field})`).join(", ")} };`,
);

/** An entry row as a usage record without tags, whether Prisma or plain SQL read it; `date` decodes the driver's timestamps. */
export function usageRecordFromRow(r: EntryRowValues, date: (value: unknown) => Date): UsageRecord {
  return READ_ROW(r, date, DECODE);
}
