import { createOpenAI } from "@ai-sdk/openai";
import { QuotaExceededError, type Accounting, type UsageRecord } from "@llm-accounting/core";
import { countTextTokens } from "@llm-accounting/sdk-kit";
import { testAccountings } from "@llm-accounting/sdk-kit/testing";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { generateText, streamText, tool, wrapLanguageModel } from "ai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { accountingMiddleware, type AccountingMiddlewareOptions } from "../src/index.js";
import { DEFAULT_REPLY, startOpenAIServer, type OpenAIServer, type Reply } from "./openai-server.js";

// Model streams cut short (through the AI SDK's OpenAI provider, against a local server speaking
// OpenAI's SSE): each call is recorded once, its tokens counted locally, and marked estimated.

const accountings = testAccountings("llm-acct-ai-sdk-cut-", (file) => new SqliteStore({ file: `${file}.sqlite` }));
let server: OpenAIServer;
const opened: Accounting[] = [];

beforeAll(async () => {
  server = await startOpenAIServer();
});
afterEach(async () => {
  server.reply = DEFAULT_REPLY;
  server.queued.length = 0;
  await Promise.all(opened.splice(0).map((accounting) => accounting.close()));
});
afterAll(async () => {
  await server.close();
  accountings.remove();
});

function chatModel(options: Omit<AccountingMiddlewareOptions, "accounting"> = {}) {
  const accounting = accountings.open();
  opened.push(accounting);
  const provider = createOpenAI({ apiKey: "test", baseURL: server.baseURL });
  return { accounting, model: wrapLanguageModel({ model: provider.chat("gpt-4o-mini"), middleware: accountingMiddleware({ accounting, ...options }) }) };
}

/** The stored rows once `count` have arrived (a cut stream is recorded as it closes, just after the caller sees it end). */
async function rowsOnce(accounting: Accounting, count: number): Promise<UsageRecord[]> {
  await expect.poll(async () => (await accounting.tail(-1)).length, { timeout: 10_000 }).toBe(count);
  return accounting.tail(-1);
}

const PROMPT = "Say hello";
/** Counts as the middleware does (gpt-tokenizer, the encoding of the reply's model). */
const countTokens = (text: string) => countTextTokens(DEFAULT_REPLY.model, text);
const cut = (reply: Reply, after: number, how: "cut" | "hold-open" | "no-usage"): Reply => ({ ...reply, stop: { after, how } });

/** The row of a call cut after `pieces` pieces of the reply's text (4 characters each), all of it counted locally. */
async function estimated(pieces: number) {
  // The prompt is one user message: its text plus 3 tokens for it and 3 priming the reply.
  const prompt = (await countTokens(PROMPT)) + 6;
  const completion = await countTokens(DEFAULT_REPLY.text.slice(0, 4 * pieces));
  return { model: DEFAULT_REPLY.model, promptTokens: prompt, localPromptTokens: prompt, completionTokens: completion, localCompletionTokens: completion, cachedTokens: 0, usageEstimated: true };
}

describe("accountingMiddleware: model streams cut short", () => {
  it("records a stream read to the end once, with the finish part's usage, not estimated", async () => {
    const { accounting, model } = chatModel();
    expect(await streamText({ model, prompt: PROMPT }).text).toBe(DEFAULT_REPLY.text);
    expect(await rowsOnce(accounting, 1)).toEqual([expect.objectContaining({ promptTokens: 1200, completionTokens: 300, localPromptTokens: 0, usageEstimated: false })]);
  });

  it("records the text seen so far when the consumer stops reading after two deltas", async () => {
    const { accounting, model } = chatModel();
    // The server sends the role and three pieces of text, then waits: only the consumer's stop ends the call.
    server.reply = cut(DEFAULT_REPLY, 4, "hold-open");
    const { stream } = await model.doStream({ prompt: [{ role: "user", content: [{ type: "text", text: PROMPT }] }] });
    const deltas: string[] = [];
    for await (const part of stream) {
      // The role chunk comes as an empty delta.
      if (part.type === "text-delta" && part.delta !== "") deltas.push(part.delta);
      if (deltas.length === 2) break;
    }
    expect(await rowsOnce(accounting, 1)).toEqual([expect.objectContaining(await estimated(2))]);
  });

  it("records the whole call when the consumer breaks out of streamText, which reads the model stream on", async () => {
    const { accounting, model } = chatModel();
    // streamText does not stop the request when its textStream is left (its abortSignal does):
    // the model generates, and is paid for, the whole reply, and its finish part is recorded.
    for await (const delta of streamText({ model, prompt: PROMPT }).textStream) if (delta === "o th") break;
    expect(await rowsOnce(accounting, 1)).toEqual([expect.objectContaining({ promptTokens: 1200, completionTokens: 300, usageEstimated: false })]);
  });

  it("records a streamText call aborted through its abortSignal", async () => {
    const { accounting, model } = chatModel();
    server.reply = cut(DEFAULT_REPLY, 3, "hold-open");
    const abort = new AbortController();
    const result = streamText({ model, prompt: PROMPT, abortSignal: abort.signal, onError: () => undefined });
    const deltas: string[] = [];
    for await (const delta of result.textStream) if (deltas.push(delta) === 2) abort.abort();
    expect(deltas).toEqual(["Hell", "o th"]);
    expect(await rowsOnce(accounting, 1)).toEqual([expect.objectContaining(await estimated(2))]);
  });

  it("records what arrived when the server drops the connection midway, and the caller sees the error", async () => {
    const { accounting, model } = chatModel();
    server.reply = cut(DEFAULT_REPLY, 4, "cut");
    const deltas: string[] = [];
    const reading = (async () => {
      for await (const delta of streamText({ model, prompt: PROMPT }).textStream) deltas.push(delta);
    })();
    await expect(reading).rejects.toThrow("Failed to process successful response");
    expect(deltas).toEqual(["Hell", "o th", "ere,"]);
    expect(await rowsOnce(accounting, 1)).toEqual([expect.objectContaining(await estimated(3))]);
  });

  it("records a stream that ends without a usage chunk as estimated, not as a free call", async () => {
    const { accounting, model } = chatModel();
    // All the text and the finish reason, then [DONE]: the provider's finish part has no counts.
    server.reply = cut(DEFAULT_REPLY, 100, "no-usage");
    expect(await streamText({ model, prompt: PROMPT }).text).toBe(DEFAULT_REPLY.text);
    const pieces = Math.ceil(DEFAULT_REPLY.text.length / 4);
    expect(await rowsOnce(accounting, 1)).toEqual([expect.objectContaining(await estimated(pieces))]);
  });

  it("counts the tool-call arguments streamed before a cut", async () => {
    const { accounting, model } = chatModel();
    const args = '{"city":"Paris","unit":"celsius"}';
    // The role, the call's name, then three pieces of its arguments: '{"ci', 'ty":', '"Par'.
    server.reply = cut({ ...DEFAULT_REPLY, toolCall: { name: "weather", arguments: args } }, 5, "cut");
    const weather = tool({ inputSchema: z.object({ city: z.string(), unit: z.string() }), execute: async () => ({ celsius: 21 }) });
    await streamText({ model, prompt: PROMPT, tools: { weather }, onError: () => undefined }).consumeStream();
    const [row] = await rowsOnce(accounting, 1);
    const streamed = await countTokens(args.slice(0, 12));
    expect(row).toMatchObject({ completionTokens: streamed, localCompletionTokens: streamed, usageEstimated: true });
    expect(row!.completionTokens).toBeGreaterThan(0);
  });
});

describe("accountingMiddleware: guarded streams cut short", () => {
  it("commits a cut stream's estimate in place of its reservation, freeing the rest of the budget", async () => {
    const { accounting, model } = chatModel({ guard: true });
    // Each call reserves its 50-token output cap: a reservation still held (or committed whole)
    // after the cut would leave no room for the next call.
    await accounting.setUsageLimit({ scope: "GLOBAL", limitType: "output_tokens", maxValue: 60, intervalUnit: "day", intervalValue: 1, model: null, username: null, callerName: null, projectName: null });
    server.reply = cut(DEFAULT_REPLY, 4, "cut");
    await streamText({ model, prompt: PROMPT, maxOutputTokens: 50, onError: () => undefined }).consumeStream();
    const [row] = await rowsOnce(accounting, 1);
    expect(row).toMatchObject(await estimated(3));
    server.reply = { ...DEFAULT_REPLY, completionTokens: 20, reasoningTokens: 0 };
    expect((await generateText({ model, prompt: PROMPT, maxOutputTokens: 50 })).text).toBe(DEFAULT_REPLY.text);
    await expect(generateText({ model, prompt: PROMPT, maxOutputTokens: 50, maxRetries: 0 })).rejects.toBeInstanceOf(QuotaExceededError);
  });
});
