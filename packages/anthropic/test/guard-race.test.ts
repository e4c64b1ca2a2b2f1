import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, it } from "vitest";
import { Accounting } from "@llm-accounting/core";
import { createPricer } from "@llm-accounting/pricing";
import { freshSqlStores } from "@llm-accounting/storage-prisma/testing";
import { guardRaceCases, sendJson, startFakeServer, type FakeServer } from "@llm-accounting/sdk-kit/testing";
import { flushUsage, trackAnthropic } from "../src/index.js";

// A cost limit that fits 3 calls, guarded with the default options (the catalog prices every
// reservation): 20 calls, concurrent or one after another, send exactly 3 requests.

const MODEL = "claude-3-5-sonnet-20241022";
const messages = [{ role: "user" as const, content: "Say hello to the world" }];
const stores = freshSqlStores("llm-acct-anthropic-race-");
let server: FakeServer;

beforeAll(async () => {
  // Every call spends its whole output cap, and one input token (less than the local count).
  server = await startFakeServer(({ body }, res) => {
    sendJson(res, 200, {
      id: "msg_race",
      type: "message",
      role: "assistant",
      model: body.model,
      content: [{ type: "text", text: "Hello" }],
      stop_reason: "max_tokens",
      stop_sequence: null,
      usage: { input_tokens: 1, output_tokens: Number(body.max_tokens), cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
    });
  });
});
afterAll(async () => {
  await server.close();
  await stores.remove();
});

// The Messages API requires max_tokens: every call has an output cap.
const capped = { outputCap: 300, call: (client: Anthropic) => client.messages.create({ model: MODEL, messages, max_tokens: 300 }) };

for (const [backend, openStore] of Object.entries(stores.open)) {
  describe(`trackAnthropic guard against a cost limit, on ${backend}`, () => {
    const cases = guardRaceCases<Anthropic>({
      model: MODEL,
      provider: "anthropic",
      openAccounting: async () => new Accounting({ store: await openStore(), pricer: createPricer() }),
      guarded: (accounting) => trackAnthropic(new Anthropic({ apiKey: "test", baseURL: server.baseURL, maxRetries: 0 }), { accounting, guard: true }),
      requests: () => server.requests.length,
      flush: flushUsage,
      concurrent: { max_tokens: capped },
      oneAfterAnother: capped,
    });
    for (const { name, run } of cases) it(name, run);
  });
}
