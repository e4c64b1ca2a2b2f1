import { USAGE_RECORD_COLUMNS, type CostSource, type UsageRecord, type UsageRecordColumn } from "@llm-accounting/core";

/** An `accounting_entries` row under Prisma's field names, without its tags; values as any driver returns them (the mapper converts). */
export type EntryRowValues = { readonly [field in "id" | UsageRecordColumn["field"]]?: unknown };

/** The `accounting_entries` columns a plain SELECT reads for a record, named as Prisma names the fields so `usageRecordFromRow` reads both paths' rows. */
export const ENTRY_SELECT = ["id", ...USAGE_RECORD_COLUMNS.map((c) => (c.name === c.field ? c.name : `${c.name} AS "${c.field}"`))].join(", ");

const COST_SOURCES: ReadonlySet<string> = new Set<CostSource>(["caller", "price", "unpriced"]);

const text = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

/**
 * An entry row as a usage record without tags, whether Prisma or plain SQL read it; `date`
 * decodes the driver's timestamps. A cost source written by a newer version reads as null.
 * Spelled out, not looped over the column table: pages of a whole period go through here, and
 * the return type makes a new record field fail to compile until it is added.
 */
export function usageRecordFromRow(r: EntryRowValues, date: (value: unknown) => Date): UsageRecord {
  const source = text(r.costSource);
  return {
    id: Number(r.id),
    timestamp: date(r.timestamp),
    model: String(r.model),
    promptTokens: Number(r.promptTokens),
    completionTokens: Number(r.completionTokens),
    totalTokens: Number(r.totalTokens),
    localPromptTokens: Number(r.localPromptTokens),
    localCompletionTokens: Number(r.localCompletionTokens),
    localTotalTokens: Number(r.localTotalTokens),
    cachedTokens: Number(r.cachedTokens),
    cacheWriteTokens: Number(r.cacheWriteTokens),
    reasoningTokens: Number(r.reasoningTokens),
    costNanos: BigInt(r.costNanos as bigint),
    costSource: source !== null && COST_SOURCES.has(source) ? (source as CostSource) : null,
    provider: text(r.provider),
    executionTime: Number(r.executionTime),
    callerName: text(r.callerName),
    username: text(r.username),
    project: text(r.project),
    session: text(r.session),
  };
}
