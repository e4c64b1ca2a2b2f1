import { describe, expect, it } from "vitest";
import { priceInEffect, type ModelPrice, type PricedUsage } from "../src/index.js";

const price = (id: number, day: number, provider: string | null): ModelPrice => ({
  id, model: "m", provider, effectiveFrom: new Date(Date.UTC(2025, 0, day)), inputNanosPerMTok: BigInt(id), cacheReadNanosPerMTok: null, cacheWriteNanosPerMTok: null, outputNanosPerMTok: 0n, note: null, createdAt: new Date(0),
});
const usage = (day: number, provider: string | null): PricedUsage => ({ model: "m", provider, timestamp: new Date(Date.UTC(2025, 0, day)), promptTokens: 1, cachedTokens: 0, cacheWriteTokens: 0, completionTokens: 0, reasoningTokens: 0 });

describe("priceInEffect", () => {
  it("picks the latest date not after the call, provider-specific before generic, in any list order", () => {
    const prices = [price(1, 1, null), price(2, 10, "azure"), price(3, 10, null), price(4, 20, null)];
    for (const list of [prices, [...prices].reverse()]) {
      expect(priceInEffect(list, usage(5, "azure"))?.id).toBe(1);
      expect(priceInEffect(list, usage(15, "azure"))?.id).toBe(2);
      expect(priceInEffect(list, usage(15, "openai"))?.id).toBe(3);
      expect(priceInEffect(list, usage(15, null))?.id).toBe(3);
      expect(priceInEffect(list, usage(25, "azure"))?.id).toBe(4);
      expect(priceInEffect(list, usage(0, null))).toBeUndefined();
    }
  });
});
