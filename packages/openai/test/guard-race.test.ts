import OpenAI from "openai";
import { afterAll, beforeAll, describe, it } from "vitest";
import { Accounting } from "@llm-accounting/core";
import { createPricer } from "@llm-accounting/pricing";
import { freshSqlStores } from "@llm-accounting/storage-prisma/testing";
import { DEFAULT_MAX_OUTPUT_TOKENS } from "@llm-accounting/sdk-kit";
import { guardRaceCases, sendJson, startFakeServer, type FakeServer } from "@llm-accounting/sdk-kit/testing";
import { flushUsage, trackOpenAI } from "../src/index.js";

// A cost limit that fits 3 calls, guarded with the default options (the catalog prices every
// reservation): 20 calls, concurrent or one after another, send exactly 3 requests.

const MODEL = "gpt-4o";
const messages = [{ role: "user" as const, content: "Say hello to the world" }];
const stores = freshSqlStores("llm-acct-openai-race-");
let server: FakeServer;

beforeAll(async () => {
  // Every call spends its whole output cap, and one input token (less than the local count).
  server = await startFakeServer(({ body }, res) => {
    const output = Number(body.max_completion_tokens ?? body.max_tokens ?? DEFAULT_MAX_OUTPUT_TOKENS);
    sendJson(res, 200, {
      id: "chatcmpl-race",
      object: "chat.completion",
      created: 1_700_000_000,
      model: body.model,
      choices: [{ index: 0, message: { role: "assistant", content: "Hello", refusal: null }, logprobs: null, finish_reason: "length" }],
      usage: { prompt_tokens: 1, completion_tokens: output, total_tokens: 1 + output },
    });
  }, { basePath: "/v1" });
});
afterAll(async () => {
  await server.close();
  await stores.remove();
});

for (const [backend, openStore] of Object.entries(stores.open)) {
  describe(`trackOpenAI guard against a cost limit, on ${backend}`, () => {
    const cases = guardRaceCases<OpenAI>({
      model: MODEL,
      provider: "openai",
      openAccounting: async () => new Accounting({ store: await openStore(), pricer: createPricer() }),
      guarded: (accounting) => trackOpenAI(new OpenAI({ apiKey: "test", baseURL: server.baseURL, maxRetries: 0 }), { accounting, guard: true }),
      requests: () => server.requests.length,
      flush: flushUsage,
      concurrent: {
        max_tokens: { outputCap: 300, call: (client) => client.chat.completions.create({ model: MODEL, messages, max_tokens: 300 }) },
        "no output cap": { outputCap: DEFAULT_MAX_OUTPUT_TOKENS, call: (client) => client.chat.completions.create({ model: MODEL, messages }) },
      },
      oneAfterAnother: { outputCap: 300, call: (client) => client.chat.completions.create({ model: MODEL, messages, max_completion_tokens: 300 }) },
    });
    for (const { name, run } of cases) it(name, run);
  });
}
