import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Accounting, QuotaExceededError, type UsageStore } from "@llm-accounting/core";
import { createPricer } from "@llm-accounting/pricing";
import { freshSqlStores } from "@llm-accounting/storage-prisma/testing";
import { sendJson, startFakeServer, type FakeServer } from "@llm-accounting/sdk-kit/testing";
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

const backends: Record<string, () => Promise<UsageStore>> = stores.open;

/** A guarded client over a fresh store whose cost limit fits 3 calls spending `outputCap` tokens. */
async function guardedClient(openStore: () => Promise<UsageStore>, outputCap: number) {
  const accounting = new Accounting({ store: await openStore(), pricer: createPricer() });
  const spent = await accounting.quoteCost({ model: MODEL, provider: "anthropic", completionTokens: outputCap });
  expect(spent.costSource).toBe("price");
  const perCall = Number(spent.costNanos) / 1e9;
  await accounting.setUsageLimit({ scope: "GLOBAL", limitType: "cost", maxValue: perCall * 3.5, intervalUnit: "day", intervalValue: 1, model: null, username: null, callerName: null, projectName: null });
  const client = trackAnthropic(new Anthropic({ apiKey: "test", baseURL: server.baseURL, maxRetries: 0 }), { accounting, guard: true });
  return { accounting, client, limit: perCall * 3.5 };
}

for (const [backend, openStore] of Object.entries(backends)) {
  describe(`trackAnthropic guard against a cost limit, on ${backend}`, () => {
    // The Messages API requires max_tokens: every call has an output cap.
    for (const [label, cap] of [["max_tokens", 300]] as const) {
      it(`20 concurrent calls (${label}): exactly 3 reach the server and spend stays within the limit`, async () => {
        const { accounting, client, limit } = await guardedClient(openStore, cap);
        await using _ = accounting;
        const before = server.requests.length;
        const results = await Promise.allSettled(Array.from({ length: 20 }, () => client.messages.create({ model: MODEL, messages, max_tokens: cap })));
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
      for (let i = 0; i < 20; i++) await client.messages.create({ model: MODEL, messages, max_tokens: 300 }).catch(() => refused++);
      expect(server.requests.length - before).toBe(3);
      expect(refused).toBe(17);
    });
  });
}
