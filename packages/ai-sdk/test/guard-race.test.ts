import { createOpenAI } from "@ai-sdk/openai";
import { generateText, wrapLanguageModel, type LanguageModel } from "ai";
import { afterAll, beforeAll, describe, it } from "vitest";
import { Accounting } from "@llm-accounting/core";
import { createPricer } from "@llm-accounting/pricing";
import { DEFAULT_MAX_OUTPUT_TOKENS } from "@llm-accounting/sdk-kit";
import { guardRaceCases } from "@llm-accounting/sdk-kit/testing";
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

/** The guarded model over `accounting`, against a server whose every call spends `outputCap` tokens. */
function guardedModel(accounting: Accounting, outputCap: number): LanguageModel {
  // Every call spends its whole output cap, and one input token (less than the local count).
  server.reply = { ...DEFAULT_REPLY, model: "gpt-4o-2024-08-06", promptTokens: 1, cachedTokens: 0, completionTokens: outputCap, reasoningTokens: 0 };
  const provider = createOpenAI({ apiKey: "test", baseURL: server.baseURL });
  return wrapLanguageModel({ model: provider.chat(MODEL), middleware: accountingMiddleware({ accounting, guard: true }) });
}

for (const [backend, openStore] of Object.entries(stores.open)) {
  describe(`accountingMiddleware guard against a cost limit, on ${backend}`, () => {
    const cases = guardRaceCases<LanguageModel>({
      model: MODEL,
      provider: "openai",
      openAccounting: async () => new Accounting({ store: await openStore(), pricer: createPricer() }),
      guarded: guardedModel,
      requests: () => server.requests.length,
      concurrent: {
        maxOutputTokens: { outputCap: 300, call: (model) => generateText({ model, prompt: "Say hello to the world", maxRetries: 0, maxOutputTokens: 300 }) },
        "no output cap": { outputCap: DEFAULT_MAX_OUTPUT_TOKENS, call: (model) => generateText({ model, prompt: "Say hello to the world", maxRetries: 0 }) },
      },
      oneAfterAnother: { outputCap: 300, call: (model) => generateText({ model, prompt: "Say hello to the world", maxRetries: 0, maxOutputTokens: 300 }) },
    });
    for (const { name, run } of cases) it(name, run);
  });
}
