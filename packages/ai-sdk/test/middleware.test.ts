import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createOpenAI } from "@ai-sdk/openai";
import { Accounting, costOfUsage, QuotaExceededError, StoreUnavailableError, validatePrice, withUsageContext, type PricedUsage, type Pricer, type UsageInput } from "@llm-accounting/core";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { generateObject, generateText, stepCountIs, streamObject, streamText, tool, wrapLanguageModel } from "ai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { accountingMiddleware, type AccountingMiddlewareOptions } from "../src/index.js";
import { DEFAULT_REPLY, startOpenAIServer, type OpenAIServer } from "./openai-server.js";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-ai-sdk-"));
let server: OpenAIServer;
let files = 0;
const opened: Accounting[] = [];

beforeAll(async () => {
  server = await startOpenAIServer();
});
afterEach(async () => {
  server.reply = DEFAULT_REPLY;
  server.requests.length = 0;
  server.queued.length = 0;
  await Promise.all(opened.splice(0).map((accounting) => accounting.close()));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

// $2 per MTok input, $0.50 cached, $8 output: a cost that shows whether cached tokens are priced apart.
const RATES = validatePrice({ model: "any", inputPerMTok: 2, cacheReadPerMTok: 0.5, outputPerMTok: 8 });

/** A pricer that remembers what it was asked to price. */
function recordingPricer(): Pricer & { quoted: PricedUsage[] } {
  const quoted: PricedUsage[] = [];
  return { quoted, quote: (usage) => (quoted.push(usage), { priced: true, costNanos: costOfUsage(RATES, usage), source: "test rates" }) };
}

function openAccounting(pricer?: Pricer): Accounting {
  const accounting = new Accounting({ store: new SqliteStore({ file: join(dir, `usage-${++files}.sqlite`) }), ...(pricer && { pricer }) });
  opened.push(accounting);
  return accounting;
}

function provider() {
  return createOpenAI({ apiKey: "test", baseURL: server.baseURL });
}

function chatModel(options: AccountingMiddlewareOptions) {
  return wrapLanguageModel({ model: provider().chat("gpt-4o-mini"), middleware: accountingMiddleware(options) });
}

const USER_LIMIT = { scope: "USER", limitType: "requests", maxValue: 1, intervalUnit: "day_rolling", intervalValue: 1, username: "ann", model: null, callerName: null, projectName: null } as const;

/** A sink that always fails, as a full disk or a dropped connection would. */
const brokenSink = {
  trackUsage(_input: UsageInput): never {
    throw new Error("disk full");
  },
};

// What DEFAULT_REPLY's usage becomes as a stored row: cached reads inside the prompt, counted once.
const DEFAULT_ROW_TOKENS = { model: "gpt-4o-mini-2024-07-18", promptTokens: 1200, cachedTokens: 1000, completionTokens: 300, reasoningTokens: 200, totalTokens: 1500 };

describe("accountingMiddleware with generateText", () => {
  it("records the call with normalised tokens, the response's model, names, time and the pricer's cost", async () => {
    const pricer = recordingPricer();
    const accounting = openAccounting(pricer);
    const model = chatModel({ accounting, username: "ann", project: "apollo", callerName: "chatbot", session: "s-1" });

    const result = await generateText({ model, prompt: "Say hello" });

    expect(result.text).toBe(DEFAULT_REPLY.text);
    expect(server.requests.map((r) => r.path)).toEqual(["/v1/chat/completions"]);
    const rows = await accounting.tail(10);
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row).toMatchObject({
      ...DEFAULT_ROW_TOKENS,
      username: "ann",
      project: "apollo",
      callerName: "chatbot",
      session: "s-1",
      costSource: "price",
    });
    expect(row.executionTime).toBeGreaterThan(0);
    // 200 fresh input at $2 + 1000 cached at $0.50 + 300 output at $8, per million tokens.
    expect(row.costNanos).toBe(400_000n + 500_000n + 2_400_000n);
    expect(pricer.quoted).toEqual([expect.objectContaining({ provider: "openai", model: "gpt-4o-mini-2024-07-18" })]);
  });

  it("takes names from withUsageContext over the middleware's own names", async () => {
    const accounting = openAccounting();
    const model = chatModel({ accounting, username: "service", callerName: "chatbot" });

    await withUsageContext({ username: "ann", project: "apollo", session: "req-7" }, () => generateText({ model, prompt: "hi" }));
    await generateText({ model, prompt: "outside any context" });

    const [outside, inside] = await accounting.tail(2);
    expect(inside).toMatchObject({ username: "ann", project: "apollo", session: "req-7", callerName: "chatbot" });
    expect(outside).toMatchObject({ username: "service", project: null, session: null, callerName: "chatbot" });
  });

  it("records a Responses API call with its own usage shape", async () => {
    const accounting = openAccounting();
    server.reply = { ...DEFAULT_REPLY, model: "o4-mini-2025-04-16", promptTokens: 900, cachedTokens: 600, completionTokens: 150, reasoningTokens: 100 };
    const model = wrapLanguageModel({ model: provider().responses("o4-mini"), middleware: accountingMiddleware({ accounting }) });

    const result = await generateText({ model, prompt: "Think, then answer" });

    expect(result.text).toBe(DEFAULT_REPLY.text);
    expect(server.requests.map((r) => r.path)).toEqual(["/v1/responses"]);
    expect(await accounting.tail(10)).toEqual([
      expect.objectContaining({ model: "o4-mini-2025-04-16", promptTokens: 900, cachedTokens: 600, completionTokens: 150, reasoningTokens: 100, totalTokens: 1050 }),
    ]);
  });

  it("records the service tier the response names, priced at that tier (OpenAI flex: half the standard price)", async () => {
    const accounting = openAccounting();
    await accounting.setModelPrice({ model: "o4-mini-2025-04-16", provider: "openai", inputPerMTok: 1.1, outputPerMTok: 4.4 });
    const reply = { ...DEFAULT_REPLY, model: "o4-mini-2025-04-16", promptTokens: 900, cachedTokens: 0, completionTokens: 150, reasoningTokens: 100 };
    const responses = wrapLanguageModel({ model: provider().responses("o4-mini"), middleware: accountingMiddleware({ accounting }) });
    const chat = wrapLanguageModel({ model: provider().chat("o4-mini"), middleware: accountingMiddleware({ accounting }) });
    server.queued.push({ ...reply, serviceTier: "default" }, { ...reply, serviceTier: "flex" }, { ...reply, serviceTier: "priority" }, reply);

    for (const model of [responses, responses, chat, chat]) await generateText({ model, prompt: "Think, then answer" });

    const [unnamed, priority, flex, standard] = await accounting.tail(4);
    expect([standard!.serviceTier, flex!.serviceTier, priority!.serviceTier, unnamed!.serviceTier]).toEqual(["standard", "flex", "priority", null]);
    expect(standard!.costNanos).toBeGreaterThan(0n);
    expect(flex!.costNanos * 2n).toBe(standard!.costNanos);
    expect(unnamed!.costNanos).toBe(standard!.costNanos);
  });

  it("records generateObject, which goes through the same model call", async () => {
    const accounting = openAccounting();
    server.reply = { ...DEFAULT_REPLY, text: JSON.stringify({ city: "Paris", population: 2_100_000 }) };
    const model = chatModel({ accounting, project: "geo" });

    const { object } = await generateObject({ model, schema: z.object({ city: z.string(), population: z.number() }), prompt: "Largest French city?" });

    expect(object).toEqual({ city: "Paris", population: 2_100_000 });
    expect(await accounting.tail(10)).toEqual([expect.objectContaining({ model: "gpt-4o-mini-2024-07-18", promptTokens: 1200, project: "geo" })]);
  });

  it("records each step of a tool loop as its own call", async () => {
    const accounting = openAccounting();
    server.queued.push({ ...DEFAULT_REPLY, promptTokens: 80, cachedTokens: 0, completionTokens: 20, reasoningTokens: 0, toolCall: { name: "weather", arguments: '{"city":"Paris"}' } });
    const model = chatModel({ accounting, callerName: "agent" });
    const weather = tool({ inputSchema: z.object({ city: z.string() }), execute: async ({ city }) => ({ city, celsius: 21 }) });

    const result = await generateText({ model, tools: { weather }, stopWhen: stepCountIs(3), prompt: "Weather in Paris?" });

    expect(result.text).toBe(DEFAULT_REPLY.text);
    expect(result.steps).toHaveLength(2);
    expect((await accounting.tail(10)).map((row) => [row.callerName, row.promptTokens, row.completionTokens])).toEqual([
      ["agent", 1200, 300],
      ["agent", 80, 20],
    ]);
  });

  it("records nothing for a call that fails, and the caller sees the provider's error", async () => {
    const accounting = openAccounting();
    server.reply = { ...DEFAULT_REPLY, failWith: 400 };
    const model = chatModel({ accounting });

    await expect(generateText({ model, prompt: "hi", maxRetries: 0 })).rejects.toThrow("upstream exploded");
    expect(await accounting.tail(10)).toEqual([]);
  });
});

describe("accountingMiddleware with streamText", () => {
  it("passes every part through untouched and records the usage of the finish part", async () => {
    const accounting = openAccounting();
    const model = chatModel({ accounting, callerName: "chatbot" });

    const result = withUsageContext({ username: "bob", session: "req-9" }, () => streamText({ model, prompt: "Say hello" }));
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);

    expect(deltas.join("")).toBe(DEFAULT_REPLY.text);
    expect(deltas).toHaveLength(Math.ceil(DEFAULT_REPLY.text.length / 4));
    // The usage the SDK reports to the caller comes from the same finish part, unchanged.
    expect(await result.usage).toMatchObject({ inputTokens: 1200, outputTokens: 300, cachedInputTokens: 1000, reasoningTokens: 200 });
    const rows = await accounting.tail(10);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      ...DEFAULT_ROW_TOKENS,
      callerName: "chatbot",
      username: "bob",
      session: "req-9",
    });
    expect(rows[0]!.executionTime).toBeGreaterThan(0);
  });
  it("records streamObject, which goes through the same model stream", async () => {
    const accounting = openAccounting();
    server.reply = { ...DEFAULT_REPLY, text: JSON.stringify({ city: "Paris", population: 2_100_000 }) };
    const model = chatModel({ accounting, project: "geo" });

    const result = streamObject({ model, schema: z.object({ city: z.string(), population: z.number() }), prompt: "Largest French city?" });

    const partials: unknown[] = [];
    for await (const partial of result.partialObjectStream) partials.push(partial);

    expect(partials.length).toBeGreaterThan(1);
    expect(await result.object).toEqual({ city: "Paris", population: 2_100_000 });
    expect(await accounting.tail(10)).toEqual([expect.objectContaining({ model: "gpt-4o-mini-2024-07-18", completionTokens: 300, project: "geo" })]);
  });

  it("delivers the finish part at once but closes the stream only once the usage is recorded", async () => {
    const accounting = openAccounting();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const events: string[] = [];
    const gatedSink = {
      async trackUsage(input: UsageInput) {
        await gate;
        await accounting.trackUsage(input);
        events.push("recorded");
      },
    };
    const model = chatModel({ accounting, sink: gatedSink });

    const { stream } = await model.doStream({ prompt: [{ role: "user", content: [{ type: "text", text: "hi" }] }] });
    const reader = stream.getReader();
    let part = await reader.read();
    while (!part.done && part.value.type !== "finish") part = await reader.read();
    expect(part.value).toMatchObject({ type: "finish", usage: { inputTokens: { total: 1200, cacheRead: 1000 } } });

    const end = reader.read().then((next) => (events.push("closed"), next.done));
    release();
    expect(await end).toBe(true);
    expect(events).toEqual(["recorded", "closed"]);
    expect(await accounting.tail(10)).toHaveLength(1);
  });
});

describe("accountingMiddleware with guard", () => {
  it("denies a call over a limit before any request is sent, and commits allowed calls", async () => {
    const accounting = openAccounting();
    await accounting.setUsageLimit(USER_LIMIT);
    const model = chatModel({ accounting, username: "ann", guard: true });

    expect((await generateText({ model, prompt: "first" })).text).toBe(DEFAULT_REPLY.text);
    expect(await accounting.tail(10)).toEqual([expect.objectContaining({ username: "ann", promptTokens: 1200, model: "gpt-4o-mini-2024-07-18" })]);

    const denied = await generateText({ model, prompt: "second", maxRetries: 0 }).catch((error: unknown) => error);
    expect(denied).toBeInstanceOf(QuotaExceededError);
    expect(server.requests).toHaveLength(1);

    const streamErrors: unknown[] = [];
    const stream = streamText({ model, prompt: "third", maxRetries: 0, onError: ({ error }) => void streamErrors.push(error) });
    await stream.consumeStream();
    expect(streamErrors).toEqual([expect.any(QuotaExceededError)]);
    expect(server.requests).toHaveLength(1);
    expect(await accounting.tail(10)).toHaveLength(1);
  });

  it("releases the reservation of a failed call, so it does not count against the limit", async () => {
    const accounting = openAccounting();
    await accounting.setUsageLimit(USER_LIMIT);
    const model = chatModel({ accounting, username: "ann", guard: true });

    server.reply = { ...DEFAULT_REPLY, failWith: 400 };
    await expect(generateText({ model, prompt: "fails", maxRetries: 0 })).rejects.toThrow("upstream exploded");
    server.reply = DEFAULT_REPLY;

    expect((await generateText({ model, prompt: "allowed" })).text).toBe(DEFAULT_REPLY.text);
    expect(server.requests).toHaveLength(2);
    expect(await accounting.tail(10)).toHaveLength(1);
  });

  it("commits a streamed call's usage, and an estimate for a stream the caller abandons", async () => {
    const accounting = openAccounting();
    await accounting.setUsageLimit({ ...USER_LIMIT, maxValue: 2 });
    const model = chatModel({ accounting, username: "ann", guard: true });

    const { stream } = await model.doStream({ prompt: [{ role: "user", content: [{ type: "text", text: "hi" }] }] });
    const reader = stream.getReader();
    expect((await reader.read()).done).toBe(false);
    await reader.cancel("not interested");

    // The abandoned call was paid for: it is recorded with local estimates (marked in local*).
    const [estimated] = await accounting.tail(10);
    expect(estimated).toMatchObject({ username: "ann", model: expect.stringMatching(/^gpt-4o-mini/) });
    expect(estimated!.promptTokens).toBeGreaterThan(0);
    expect(estimated!.localPromptTokens).toBe(estimated!.promptTokens);
    expect(estimated!.localCompletionTokens).toBe(estimated!.completionTokens);

    const streamed = streamText({ model, prompt: "allowed" });
    expect(await streamed.text).toBe(DEFAULT_REPLY.text);
    await streamed.consumeStream();
    expect((await accounting.tail(10)).map((r) => r.completionTokens)).toEqual([300, estimated!.completionTokens]);

    // The limit of 2 requests is used up by the abandoned and the streamed call.
    await expect(generateText({ model, prompt: "over", maxRetries: 0 })).rejects.toBeInstanceOf(QuotaExceededError);
  });
});

describe("accountingMiddleware when accounting fails", () => {
  it("returns the generated text and reports the failure to onError", async () => {
    const accounting = openAccounting();
    const errors: unknown[] = [];
    const model = chatModel({ accounting, sink: brokenSink, onError: (error) => errors.push(error) });

    const result = await generateText({ model, prompt: "hi" });

    expect(result.text).toBe(DEFAULT_REPLY.text);
    expect(result.usage).toMatchObject({ inputTokens: 1200, outputTokens: 300 });
    expect(errors).toEqual([new Error("disk full")]);
    expect(await accounting.tail(10)).toEqual([]);
  });

  it("streams the whole text and reports the failure to onError", async () => {
    const accounting = openAccounting();
    const errors: unknown[] = [];
    const model = chatModel({ accounting, sink: brokenSink, onError: (error) => errors.push(error) });

    const result = streamText({ model, prompt: "hi" });

    expect(await result.text).toBe(DEFAULT_REPLY.text);
    await result.consumeStream();
    expect(errors).toEqual([new Error("disk full")]);
  });

  it("lets guarded calls through when the store cannot be opened, reporting each failure", async () => {
    // A regular file where the database's directory should be: the store can never open.
    writeFileSync(join(dir, "not-a-dir"), "");
    const accounting = new Accounting({ store: new SqliteStore({ file: join(dir, "not-a-dir", "usage.sqlite") }) });
    const errors: unknown[] = [];
    const model = chatModel({ accounting, guard: true, onError: (error) => errors.push(error) });

    expect((await generateText({ model, prompt: "hi" })).text).toBe(DEFAULT_REPLY.text);
    // The reservation could not be made and the usage could not be recorded.
    expect(errors).toEqual([expect.any(StoreUnavailableError), expect.any(StoreUnavailableError)]);
    expect(server.requests).toHaveLength(1);
  });
});
