import OpenAI from "openai";
import { Accounting, QuotaExceededError } from "@llm-accounting/core";
import { flushUsage, trackOpenAI } from "@llm-accounting/openai";
import { createPricer } from "@llm-accounting/pricing";
import { sendJson, startFakeServer } from "@llm-accounting/sdk-kit/testing";
import { round } from "./measure.mjs";

const MODEL = "gpt-4o";
const OUTPUT_CAP = 300;

/**
 * sdk_guard_race: `calls` concurrent chat completions through the real OpenAI client, wrapped by
 * trackOpenAI with guard: true, against a cost limit that fits 3 of them. A local server answers
 * each with its whole output cap, so every call really costs what it reserved: requests_sent must
 * be 3 and spent_usd at most limit_usd. calls_per_s is every call (admitted or refused) over the
 * race's wall time, recording flushed.
 */
export async function benchSdkGuardRace(store, calls) {
  const server = await startFakeServer(({ body }, res) => {
    const output = Number(body.max_tokens ?? OUTPUT_CAP);
    sendJson(res, 200, {
      id: "chatcmpl-bench",
      object: "chat.completion",
      created: 1_700_000_000,
      model: body.model,
      choices: [{ index: 0, message: { role: "assistant", content: "Hello", refusal: null }, logprobs: null, finish_reason: "length" }],
      usage: { prompt_tokens: 1, completion_tokens: output, total_tokens: 1 + output },
    });
  }, { basePath: "/v1" });
  const accounting = new Accounting({ store, pricer: createPricer() });
  try {
    // The catalog's price of one call's output cap; the limit holds 3.5 of them.
    const quote = await accounting.quoteCost({ model: MODEL, provider: "openai", completionTokens: OUTPUT_CAP });
    if (quote.costSource !== "price") throw new Error(`sdk_guard_race: ${MODEL} is not priced (${quote.costSource})`);
    const limit = (Number(quote.costNanos) / 1e9) * 3.5;
    await accounting.setUsageLimit({ scope: "GLOBAL", limitType: "cost", maxValue: limit, intervalUnit: "day", intervalValue: 1, model: null, username: null, callerName: null, projectName: null });
    const client = trackOpenAI(new OpenAI({ apiKey: "bench", baseURL: server.baseURL, maxRetries: 0 }), { accounting, guard: true });
    const messages = [{ role: "user", content: "Say hello to the world" }];
    const t0 = process.hrtime.bigint();
    const results = await Promise.allSettled(Array.from({ length: calls }, () => client.chat.completions.create({ model: MODEL, messages, max_tokens: OUTPUT_CAP })));
    await flushUsage(client);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const refused = results.filter((r) => r.status === "rejected" && r.reason instanceof QuotaExceededError).length;
    const failed = results.filter((r) => r.status === "rejected" && !(r.reason instanceof QuotaExceededError));
    const spentNanos = (await accounting.tail(-1)).reduce((sum, record) => sum + record.costNanos, 0n);
    return {
      calls,
      requests_sent: server.requests.length,
      refused,
      errors: failed.length,
      ...(failed.length > 0 && { error: String(failed[0].reason?.message ?? failed[0].reason) }),
      limit_usd: round6(limit),
      spent_usd: round6(Number(spentNanos) / 1e9),
      calls_per_s: Math.round(calls / seconds),
      wall_ms: round(seconds * 1000),
    };
  } finally {
    await accounting.close();
    await server.close();
  }
}

const round6 = (x) => Math.round(x * 1e6) / 1e6;
