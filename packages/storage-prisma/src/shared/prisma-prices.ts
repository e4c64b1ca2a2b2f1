import type { ModelPrice, NewModelPrice } from "@llm-accounting/core";
import { prismaDate } from "./prisma-date.js";
import { priceFromRow } from "./price-row.js";

/** A `model_prices` row as both generated Prisma clients return it. */
interface PriceRow {
  id: number;
  model: string;
  provider: string | null;
  effectiveFrom: Date;
  inputNanosPerMtok: bigint;
  cacheReadNanosPerMtok: bigint | null;
  cacheWriteNanosPerMtok: bigint | null;
  cacheWrite1hNanosPerMtok: bigint | null;
  outputNanosPerMtok: bigint;
  note: string | null;
  createdAt: Date;
  serviceTier: string | null;
}

/** The part of Prisma's `modelPrice` delegate the stores use (identical in both clients). */
export interface PriceDelegate {
  create(args: { data: Omit<PriceRow, "id"> }): PromiseLike<PriceRow>;
  findMany(args: { orderBy: ({ model: "asc" } | { effectiveFrom: "asc" } | { id: "asc" })[] }): PromiseLike<PriceRow[]>;
  deleteMany(args: { where: { id: number } }): PromiseLike<{ count: number }>;
}

/** Stores a price, stamped `now`. */
export async function createPrice(prices: PriceDelegate, price: NewModelPrice, now: Date): Promise<ModelPrice> {
  return priceFromRow(
    await prices.create({
      data: {
        model: price.model,
        provider: price.provider,
        effectiveFrom: price.effectiveFrom,
        inputNanosPerMtok: price.inputNanosPerMTok,
        cacheReadNanosPerMtok: price.cacheReadNanosPerMTok,
        cacheWriteNanosPerMtok: price.cacheWriteNanosPerMTok,
        cacheWrite1hNanosPerMtok: price.cacheWrite1hNanosPerMTok ?? null,
        outputNanosPerMtok: price.outputNanosPerMTok,
        note: price.note,
        createdAt: now,
        serviceTier: price.serviceTier ?? null,
      },
    }),
    prismaDate,
  );
}

/** Every price, by model, effective date, id. */
export async function findPrices(prices: PriceDelegate): Promise<ModelPrice[]> {
  return (await prices.findMany({ orderBy: [{ model: "asc" }, { effectiveFrom: "asc" }, { id: "asc" }] })).map((row) => priceFromRow(row, prismaDate));
}

/** Deletes a price; false when there was none. */
export async function removePrice(prices: PriceDelegate, id: number): Promise<boolean> {
  return (await prices.deleteMany({ where: { id } })).count > 0;
}
