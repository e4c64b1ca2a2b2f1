import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Accounting, usdToNanos } from "@llm-accounting/core";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { calcPrice } from "@pydantic/genai-prices";
import { afterAll, describe, expect, it } from "vitest";
import { createPricer } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-pricing-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const AT = new Date("2025-09-01T12:00:00.000Z");

describe("createPricer with Accounting on a real SQLite store", () => {
  it("stores the computed cost of calls tracked without one, and 0 (unpriced) for unknown models", async () => {
    const accounting = new Accounting({
      store: new SqliteStore({ file: join(dir, "usage.sqlite") }),
      pricer: createPricer({ overrides: [{ model: "house-model", inputPerMTok: 1, outputPerMTok: 2 }] }),
    });
    try {
      await accounting.trackUsage({ model: "gpt-4o", promptTokens: 12_000, completionTokens: 800, cachedTokens: 10_000, timestamp: AT });
      await accounting.trackUsage({ model: "house-model", promptTokens: 1_000_000, completionTokens: 250_000, timestamp: AT });
      await accounting.trackUsage({ model: "my-local-llama", promptTokens: 50, completionTokens: 20, timestamp: AT });
      await accounting.trackUsage({ model: "gpt-4o", promptTokens: 100, completionTokens: 10, cost: 0.5, timestamp: AT });

      const rows = (await accounting.tail(10)).reverse();
      expect(rows.map((row) => row.model)).toEqual(["gpt-4o", "house-model", "my-local-llama", "gpt-4o"]);

      const price = calcPrice({}, "gpt-4o", { timestamp: AT })!.model_price;
      const rate = (key: string) => usdToNanos(price[key] as number);
      const gpt4o = (2_000n * rate("input_mtok") + 10_000n * rate("cache_read_mtok") + 800n * rate("output_mtok") + 500_000n) / 1_000_000n;
      expect(rows[0]).toMatchObject({ promptTokens: 12_000, cachedTokens: 10_000, costNanos: gpt4o });
      expect(gpt4o).toBeGreaterThan(0n);
      // 1M × $1 + 250k × $2 = $1.50
      expect(rows[1]?.costNanos).toBe(1_500_000_000n);
      expect(rows[2]?.costNanos).toBe(0n);
      // A caller-given cost is kept as is; the pricer is not consulted.
      expect(rows[3]?.costNanos).toBe(500_000_000n);
      expect(rows.map((row) => row.costSource)).toEqual(["price", "price", "unpriced", "caller"]);
    } finally {
      await accounting.close();
    }
  });

  it("prices a discounted service tier by the catalog's provider of the model when the call names none", async () => {
    const told: string[] = [];
    const accounting = new Accounting({ store: new SqliteStore({ file: join(dir, "tiers.sqlite") }), pricer: createPricer(), onUnpriced: (_model, message) => told.push(message) });
    try {
      const cost = async (model: string, provider: string | undefined, serviceTier: string | undefined) =>
        (await accounting.trackUsage({ model, promptTokens: 10_000, completionTokens: 2_000, timestamp: AT, ...(provider && { provider }), ...(serviceTier && { serviceTier }) })).costNanos;
      for (const model of ["gpt-4o", "claude-sonnet-4-5"]) {
        const standard = await cost(model, undefined, undefined);
        expect(standard).toBeGreaterThan(0n);
        // Half, rounded half up to the nano-dollar: the same as when the provider is named.
        expect(await cost(model, undefined, "batch")).toBe((standard + 1n) / 2n);
        expect(await cost(model, model.startsWith("gpt") ? "openai" : "anthropic", "batch")).toBe((standard + 1n) / 2n);
      }
      expect(await cost("gpt-4o", undefined, "flex")).toBe((await cost("gpt-4o", undefined, undefined)) / 2n);
      // Anthropic publishes no flex multiple: standard, and said once.
      expect(await cost("claude-sonnet-4-5", undefined, "flex")).toBe(await cost("claude-sonnet-4-5", undefined, undefined));
      expect(told).toEqual([expect.stringMatching(/^calls at service tier 'flex' \(first: model 'claude-sonnet-4-5'\) are priced at the model's standard price/)]);
    } finally {
      await accounting.close();
    }
  });
});
