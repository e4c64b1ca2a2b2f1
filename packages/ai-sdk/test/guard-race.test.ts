import { createOpenAI } from "@ai-sdk/openai";
import { generateText, wrapLanguageModel } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Accounting, QuotaExceededError, type UsageStore } from "@llm-accounting/core";
import { createPricer } from "@llm-accounting/pricing";
import { DEFAULT_MAX_OUTPUT_TOKENS } from "@llm-accounting/sdk-kit";
import { freshSqlStores } from "@llm-accounting/storage-prisma/testing";
import { accountingMiddleware } from "../src/index.js";
import { DEFAULT_REPLY, startOpenAIServer, type OpenAIServer } from "./openai-server.js";

// A cost limit that fits 3 calls, guarded with the default options (the catalog prices every
// reservation): 20 calls, concurrent or one after another, send exactly 3 requests.

const MODEL = "gpt-4o";
const stores = freshSqlStores("llm-acct-ai-sdk-race-");
let server: OpenAIServer;

beforeAll(async () => {
  server = await startOpenAIServer();
});
afterAll(async () => {
  await server.close();
  await stores.remove();
});

const backends: Record<string, () => Promise<UsageStore>> = stores.open;

/** A guarded model over a fresh store whose cost limit fits 3 calls spending `outputCap` tokens. */
async function guardedModel(openStore: () => Promise<UsageStore>, outputCap: number) {
  // Every call spends its whole output cap, and one input token (less than the local count).
  server.reply = { ...DEFAULT_REPLY, model: "gpt-4o-2024-08-06", promptTokens: 1, cachedTokens: 0, completionTokens: outputCap, reasoningTokens: 0 };
  const accounting = new Accounting({ store: await openStore(), pricer: createPricer() });
  const spent = await accounting.quoteCost({ model: MODEL, provider: "openai", completionTokens: outputCap });
  expect(spent.costSource).toBe("price");
  const limit = (Number(spent.costNanos) / 1e9) * 3.5;
  await accounting.setUsageLimit({ scope: "GLOBAL", limitType: "cost", maxValue: limit, intervalUnit: "day", intervalValue: 1, model: null, username: null, callerName: null, projectName: null });
  const provider = createOpenAI({ apiKey: "test", baseURL: server.baseURL });
  const model = wrapLanguageModel({ model: provider.chat(MODEL), middleware: accountingMiddleware({ accounting, guard: true }) });
  return { accounting, model, limit };
}

for (const [backend, openStore] of Object.entries(backends)) {
  describe(`accountingMiddleware guard against a cost limit, on ${backend}`, () => {
    for (const [label, cap] of [["maxOutputTokens", 300], ["no output cap", undefined]] as const) {
      it(`20 concurrent calls (${label}): exactly 3 reach the server and spend stays within the limit`, async () => {
        const { accounting, model, limit } = await guardedModel(openStore, cap ?? DEFAULT_MAX_OUTPUT_TOKENS);
        await using _ = accounting;
        const before = server.requests.length;
        const results = await Promise.allSettled(Array.from({ length: 20 }, () => generateText({ model, prompt: "Say hello to the world", maxRetries: 0, ...(cap && { maxOutputTokens: cap }) })));
        expect(server.requests.length - before).toBe(3);
        expect(results.filter((r) => r.status === "rejected").every((r) => r.reason instanceof QuotaExceededError)).toBe(true);
        const spent = (await accounting.tail(-1)).reduce((sum, record) => sum + record.costNanos, 0n);
        expect(Number(spent) / 1e9).toBeLessThanOrEqual(limit);
      });
    }

    it("a caller making calls one after another gets exactly 3", async () => {
      const { accounting, model } = await guardedModel(openStore, 300);
      await using _ = accounting;
      const before = server.requests.length;
      let refused = 0;
      for (let i = 0; i < 20; i++) await generateText({ model, prompt: "Say hello to the world", maxRetries: 0, maxOutputTokens: 300 }).catch(() => refused++);
      expect(server.requests.length - before).toBe(3);
      expect(refused).toBe(17);
    });
  });
}
