import type { ModelPrice } from "@llm-accounting/core";

/** A `model_prices` row under Prisma's field names; values as any driver returns them (the mapper converts). */
export type PriceRowValues = {
  readonly [field in "id" | "model" | "provider" | "effectiveFrom" | "inputNanosPerMtok" | "cacheReadNanosPerMtok" | "cacheWriteNanosPerMtok" | "cacheWrite1hNanosPerMtok" | "outputNanosPerMtok" | "note" | "createdAt" | "serviceTier"]?: unknown;
};

/** The `model_prices` columns a plain SELECT reads, named as Prisma names the fields so `priceFromRow` reads both paths' rows. */
export const PRICE_SELECT =
  'id, model, provider, effective_from AS "effectiveFrom", input_nanos_per_mtok AS "inputNanosPerMtok", cache_read_nanos_per_mtok AS "cacheReadNanosPerMtok", ' +
  'cache_write_nanos_per_mtok AS "cacheWriteNanosPerMtok", cache_write_1h_nanos_per_mtok AS "cacheWrite1hNanosPerMtok", output_nanos_per_mtok AS "outputNanosPerMtok", note, created_at AS "createdAt", service_tier AS "serviceTier"';

const text = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
const nanos = (value: unknown): bigint | null => (value === null || value === undefined ? null : BigInt(value as bigint | number | string));

/** A `model_prices` row as a price, whether Prisma or plain SQL read it; `date` decodes the driver's timestamps. */
export function priceFromRow(r: PriceRowValues, date: (value: unknown) => Date): ModelPrice {
  return {
    id: Number(r.id),
    model: String(r.model),
    provider: text(r.provider),
    effectiveFrom: date(r.effectiveFrom),
    inputNanosPerMTok: nanos(r.inputNanosPerMtok)!,
    cacheReadNanosPerMTok: nanos(r.cacheReadNanosPerMtok),
    cacheWriteNanosPerMTok: nanos(r.cacheWriteNanosPerMtok),
    cacheWrite1hNanosPerMTok: nanos(r.cacheWrite1hNanosPerMtok),
    outputNanosPerMTok: nanos(r.outputNanosPerMtok)!,
    note: text(r.note),
    createdAt: date(r.createdAt),
    serviceTier: text(r.serviceTier),
  };
}
