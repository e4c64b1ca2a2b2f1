import { nanosToUsd } from "../money.js";
import type { ModelPrice } from "../store/price-records.js";
import { nanosJson } from "./json-form.js";

/**
 * A stored price as JSON: dates as ISO-8601 strings, each rate in USD per million tokens
 * (`inputPerMTok`...) beside its exact nano-dollar string (`inputNanosPerMTok`...).
 */
export type ModelPriceJson = Omit<ModelPrice, "effectiveFrom" | "createdAt" | "inputNanosPerMTok" | "cacheReadNanosPerMTok" | "cacheWriteNanosPerMTok" | "cacheWrite1hNanosPerMTok" | "outputNanosPerMTok"> & {
  readonly effectiveFrom: string;
  readonly createdAt: string;
  readonly inputPerMTok: number;
  readonly inputNanosPerMTok: string;
  readonly cacheReadPerMTok: number | null;
  readonly cacheReadNanosPerMTok: string | null;
  readonly cacheWritePerMTok: number | null;
  readonly cacheWriteNanosPerMTok: string | null;
  readonly cacheWrite1hPerMTok: number | null;
  readonly cacheWrite1hNanosPerMTok: string | null;
  readonly outputPerMTok: number;
  readonly outputNanosPerMTok: string;
};

const optional = <T>(nanos: bigint | null, convert: (nanos: bigint) => T): T | null => (nanos === null ? null : convert(nanos));

/** The JSON form of a stored price. */
export function modelPriceJson(price: ModelPrice): ModelPriceJson {
  return {
    ...price,
    effectiveFrom: price.effectiveFrom.toISOString(),
    createdAt: price.createdAt.toISOString(),
    inputPerMTok: nanosToUsd(price.inputNanosPerMTok),
    inputNanosPerMTok: nanosJson(price.inputNanosPerMTok),
    cacheReadPerMTok: optional(price.cacheReadNanosPerMTok, nanosToUsd),
    cacheReadNanosPerMTok: optional(price.cacheReadNanosPerMTok, nanosJson),
    cacheWritePerMTok: optional(price.cacheWriteNanosPerMTok, nanosToUsd),
    cacheWriteNanosPerMTok: optional(price.cacheWriteNanosPerMTok, nanosJson),
    cacheWrite1hPerMTok: optional(price.cacheWrite1hNanosPerMTok ?? null, nanosToUsd),
    cacheWrite1hNanosPerMTok: optional(price.cacheWrite1hNanosPerMTok ?? null, nanosJson),
    outputPerMTok: nanosToUsd(price.outputNanosPerMTok),
    outputNanosPerMTok: nanosJson(price.outputNanosPerMTok),
  };
}
