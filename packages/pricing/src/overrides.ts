import { nanosToUsd, priceInEffect, validatePrice, type ModelPrice, type ModelPriceInput, type PricedUsage } from "@llm-accounting/core";
import type { PriceDescription } from "./price-description.js";

const EPOCH = new Date(0);

/** Prices given in code, validated once, looked up by model; the one in effect is the latest not after the call. */
export class OverrideTable {
  readonly #byModel = new Map<string, ModelPrice[]>();

  /** Validates every override (throws core's ValidationError on a bad one). On the same date, provider-specific beats generic, then later in the list wins. */
  constructor(overrides: readonly ModelPriceInput[]) {
    overrides.forEach((input, index) => {
      const validated = validatePrice(input);
      // priceInEffect breaks same-date ties by id: the position in the list acts as the id, and
      // provider-specific overrides are numbered after generic ones so they win whatever the order.
      const id = (validated.provider === null ? 0 : overrides.length) + index + 1;
      const price: ModelPrice = { ...validated, id, createdAt: EPOCH };
      const list = this.#byModel.get(price.model) ?? [];
      list.push(price);
      this.#byModel.set(price.model, list);
    });
  }

  /** The override in effect for this call, if any. */
  find(usage: PricedUsage): ModelPrice | undefined {
    const prices = this.#byModel.get(usage.model);
    return prices && priceInEffect(prices, usage);
  }

  /** The override in effect for `model` (through `provider`) at `at`, as per-MTok rates. */
  describe(model: string, provider: string | null, at: Date): PriceDescription | undefined {
    const price = this.find({ model, provider, timestamp: at, promptTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, completionTokens: 0, reasoningTokens: 0 });
    if (!price) return undefined;
    const perMTok = (nanos: bigint | null): number | null => (nanos === null ? null : nanosToUsd(nanos));
    return {
      model: price.model,
      provider: price.provider,
      source: "override",
      effectiveFrom: price.effectiveFrom.getTime() === 0 ? null : price.effectiveFrom,
      inputPerMTok: nanosToUsd(price.inputNanosPerMTok),
      cacheReadPerMTok: perMTok(price.cacheReadNanosPerMTok),
      cacheWritePerMTok: perMTok(price.cacheWriteNanosPerMTok),
      cacheWrite1hPerMTok: perMTok(price.cacheWrite1hNanosPerMTok ?? null),
      outputPerMTok: nanosToUsd(price.outputNanosPerMTok),
      tiers: [],
      note: price.note,
    };
  }
}
