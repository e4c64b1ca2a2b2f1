import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Accounting, QuotaExceededError, type UsageStore } from "@llm-accounting/core";
import { createPricer } from "@llm-accounting/pricing";
import { freshSqlStores } from "@llm-accounting/storage-prisma/testing";
import { DEFAULT_MAX_OUTPUT_TOKENS } from "@llm-accounting/sdk-kit";
import { sendJson, startFakeServer, type FakeServer } from "@llm-accounting/sdk-kit/testing";
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

const backends: Record<string, () => Promise<UsageStore>> = stores.open;

/** A guarded client over a fresh store whose cost limit fits 3 calls spending `outputCap` tokens. */
async function guardedClient(openStore: () => Promise<UsageStore>, outputCap: number) {
  const accounting = new Accounting({ store: await openStore(), pricer: createPricer() });
  const spent = await accounting.quoteCost({ model: MODEL, provider: "openai", completionTokens: outputCap });
  expect(spent.costSource).toBe("price");
  const perCall = Number(spent.costNanos) / 1e9;
  await accounting.setUsageLimit({ scope: "GLOBAL", limitType: "cost", maxValue: perCall * 3.5, intervalUnit: "day", intervalValue: 1, model: null, username: null, callerName: null, projectName: null });
  const client = trackOpenAI(new OpenAI({ apiKey: "test", baseURL: server.baseURL, maxRetries: 0 }), { accounting, guard: true });
  return { accounting, client, limit: perCall * 3.5 };
}

for (const [backend, openStore] of Object.entries(backends)) {
  describe(`trackOpenAI guard against a cost limit, on ${backend}`, () => {
    for (const [label, cap] of [["max_tokens", 300], ["no output cap", undefined]] as const) {
      it(`20 concurrent calls (${label}): exactly 3 reach the server and spend stays within the limit`, async () => {
        const { accounting, client, limit } = await guardedClient(openStore, cap ?? DEFAULT_MAX_OUTPUT_TOKENS);
        await using _ = accounting;
        const before = server.requests.length;
        const results = await Promise.allSettled(Array.from({ length: 20 }, () => client.chat.completions.create({ model: MODEL, messages, ...(cap && { max_tokens: cap }) })));
        await flushUsage(client);
        expect(server.requests.length - before).toBe(3);
        expect(results.filter((r) => r.status === "rejected").every((r) => r.reason instanceof QuotaExceededError)).toBe(true);
        const spent = (await accounting.tail(-1)).reduce((sum, record) => sum + record.costNanos, 0n);
        expect(Number(spent) / 1e9).toBeLessThanOrEqual(limit);
      });
    }

    it("a caller making calls one after another gets exactly 3", async () => {
      const { accounting, client } = await guardedClient(openStore, 300);
      await using _ = accounting;
      const before = server.requests.length;
      let refused = 0;
      for (let i = 0; i < 20; i++) await client.chat.completions.create({ model: MODEL, messages, max_completion_tokens: 300 }).catch(() => refused++);
      expect(server.requests.length - before).toBe(3);
      expect(refused).toBe(17);
    });
  });
}
