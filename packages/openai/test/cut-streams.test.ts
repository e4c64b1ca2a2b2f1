import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import type { Stream } from "openai/streaming";
import { countTokens } from "gpt-tokenizer";
import { QuotaExceededError } from "@llm-accounting/core";
import { observeStream, type StreamEnd } from "@llm-accounting/sdk-kit";
import { collect, DENY_ALL_REQUESTS } from "@llm-accounting/sdk-kit/testing";
import { flushUsage } from "../src/index.js";
import { CHAT_MODEL, RESPONSES_MODEL } from "./fake-openai-server.js";
import { openAIClients } from "./openai-clients.js";

// Streams cut short, against a local server speaking OpenAI's SSE: each call is recorded once,
// with the usage known so far, its output counted locally, and marked estimated.

const clients = openAIClients("llm-acct-openai-cut-");
const { rows, tracked } = clients;
beforeAll(clients.start);
afterAll(clients.stop);

const messages = [{ role: "user" as const, content: "Say hello to the world" }];
// The local count of `messages`: its text plus 3 tokens for the message and 3 priming the reply.
const LOCAL_PROMPT = countTokens("Say hello to the world") + 6;
// What a chat stream cut after its head ("" then "Hello") records: all of it counted locally.
const CUT_CHAT = { model: CHAT_MODEL, promptTokens: LOCAL_PROMPT, localPromptTokens: LOCAL_PROMPT, completionTokens: 1, localCompletionTokens: 1, cachedTokens: 0, usageEstimated: true };
const EXACT_CHAT = { model: CHAT_MODEL, promptTokens: 20, completionTokens: 7, cachedTokens: 8, reasoningTokens: 2, localPromptTokens: 0, usageEstimated: false };

describe("trackOpenAI: chat completion streams cut short", () => {
  it("records a stream read to the end once, with the provider's usage, not estimated", async () => {
    const { accounting, client } = tracked();
    expect(await collect(await client.chat.completions.create({ model: "gpt-4o", messages, stream: true }))).toHaveLength(4);
    expect(await rows(accounting, client)).toEqual([expect.objectContaining(EXACT_CHAT)]);
  });

  it("records the text seen so far when the consumer breaks after two chunks", async () => {
    const { accounting, client } = tracked();
    let read = 0;
    for await (const _ of await client.chat.completions.create({ model: "gpt-4o", messages, stream: true })) if (++read === 2) break;
    expect(await rows(accounting, client)).toEqual([expect.objectContaining(CUT_CHAT)]);
  });

  it("records an abort through the request's AbortController, or the stream's controller", async () => {
    const { accounting, client } = tracked();
    const abort = new AbortController();
    // The server sends the head and waits: only the abort ends this loop (quietly, as the SDK does).
    for await (const chunk of await client.chat.completions.create({ model: "hold-open", messages, stream: true }, { signal: abort.signal })) {
      if (chunk.choices[0]?.delta.content === "Hello") abort.abort();
    }
    const stream = await client.chat.completions.create({ model: "hold-open", messages, stream: true });
    for await (const chunk of stream) if (chunk.choices[0]?.delta.content === "Hello") stream.controller.abort();
    expect(await rows(accounting, client)).toEqual([expect.objectContaining(CUT_CHAT), expect.objectContaining(CUT_CHAT)]);
  });

  it("records what arrived when the server drops the connection midway, and the caller gets the error", async () => {
    const { accounting, client } = tracked();
    const seen: string[] = [];
    const reading = (async () => {
      for await (const chunk of await client.chat.completions.create({ model: "cut", messages, stream: true })) seen.push(chunk.choices[0]?.delta.content ?? "");
    })();
    await expect(reading).rejects.toThrow();
    expect(seen).toEqual(["", "Hello"]);
    expect(await rows(accounting, client)).toEqual([expect.objectContaining(CUT_CHAT)]);
  });

  it("records a stream aborted before it was read, with the prompt counted locally, once even if read after", async () => {
    const { accounting, client } = tracked();
    const stream = await client.chat.completions.create({ model: "hold-open", messages, stream: true });
    stream.controller.abort();
    const row = { model: "hold-open", promptTokens: LOCAL_PROMPT, completionTokens: 0, localCompletionTokens: 0, usageEstimated: true };
    expect(await rows(accounting, client)).toEqual([expect.objectContaining(row)]);
    expect(await collect(stream)).toEqual([]);
    expect(await rows(accounting, client)).toEqual([expect.objectContaining(row)]);
  });

  it("records a tee()d stream once, with the final usage, when one branch stops early and the other reads on", async () => {
    const { accounting, client } = tracked();
    const [left, right] = (await client.chat.completions.create({ model: "gpt-4o", messages, stream: true })).tee();
    for await (const _ of left) break;
    expect(await collect(right)).toHaveLength(4);
    expect(await rows(accounting, client)).toEqual([expect.objectContaining(EXACT_CHAT)]);
  });

  it("takes the usage chunk as final when the consumer stops right after it", async () => {
    const { accounting, client } = tracked();
    for await (const chunk of await client.chat.completions.create({ model: "gpt-4o", messages, stream: true, stream_options: { include_usage: true } })) {
      if (chunk.usage) break;
    }
    expect(await rows(accounting, client)).toEqual([expect.objectContaining(EXACT_CHAT)]);
  });
});

describe("trackOpenAI: responses streams cut short", () => {
  const request = { model: "gpt-4.1", input: "Say hi", instructions: "Be brief", stream: true } as const;
  const localPrompt = countTokens("Be brief\nSay hi") + 6;
  const cut = { model: RESPONSES_MODEL, promptTokens: localPrompt, localPromptTokens: localPrompt, completionTokens: 1, localCompletionTokens: 1, usageEstimated: true };

  it("records a whole stream with response.completed's usage, not estimated", async () => {
    const { accounting, client } = tracked();
    expect(await collect(await client.responses.create(request))).toHaveLength(7);
    expect(await rows(accounting, client)).toEqual([expect.objectContaining({ model: RESPONSES_MODEL, promptTokens: 30, completionTokens: 12, usageEstimated: false })]);
  });

  it("records a stream the consumer leaves after the first text delta", async () => {
    const { accounting, client } = tracked();
    for await (const event of await client.responses.create(request)) if (event.type === "response.output_text.delta") break;
    expect(await rows(accounting, client)).toEqual([expect.objectContaining(cut)]);
  });

  it("records a stream aborted through an AbortController, and one whose connection drops", async () => {
    const { accounting, client } = tracked();
    const abort = new AbortController();
    for await (const event of await client.responses.create({ ...request, model: "hold-open" }, { signal: abort.signal })) {
      if (event.type === "response.output_text.delta") abort.abort();
    }
    await expect(collect(await client.responses.create({ ...request, model: "cut" }))).rejects.toThrow();
    expect(await rows(accounting, client)).toEqual([expect.objectContaining(cut), expect.objectContaining(cut)]);
  });
});

describe("trackOpenAI: guarded streams cut short", () => {
  it("commits the known usage of a cut stream in place of its reservation, freeing the rest of the budget", async () => {
    const { accounting, client } = tracked({ guard: true });
    // Each call reserves its 50-token output cap: a reservation still held (or committed whole)
    // after the cut would leave no room for the next call.
    await accounting.setUsageLimit({ ...DENY_ALL_REQUESTS, limitType: "output_tokens", maxValue: 55 });
    const body = { model: "cut", messages, stream: true as const, max_completion_tokens: 50 };
    await expect(collect(await client.chat.completions.create(body))).rejects.toThrow();
    await flushUsage(client);
    let read = 0;
    for await (const _ of await client.chat.completions.create({ ...body, model: "gpt-4o" })) if (++read === 2) break;
    await flushUsage(client);
    const aborted = await client.chat.completions.create({ ...body, model: "hold-open" });
    aborted.controller.abort();
    expect(await rows(accounting, client)).toEqual([
      expect.objectContaining({ model: "hold-open", completionTokens: 0, usageEstimated: true }),
      expect.objectContaining({ ...CUT_CHAT, completionTokens: 1 }),
      expect.objectContaining(CUT_CHAT),
    ]);
    // 2 output tokens spent: a fourth call's 50 still fit; after its 7, a fifth's do not.
    await collect(await client.chat.completions.create({ ...body, model: "gpt-4o" }));
    await flushUsage(client);
    await expect(client.chat.completions.create({ ...body, model: "gpt-4o" })).rejects.toBeInstanceOf(QuotaExceededError);
  });
});

describe("observeStream on the SDK's own Stream", () => {
  /** A plain client's stream of `model`, observed: `ends` gets every end reported. */
  async function observed(model: string): Promise<{ stream: Stream<ChatCompletionChunk>; ends: StreamEnd[] }> {
    const plain = clients.plain();
    const stream = await plain.chat.completions.create({ model, messages, stream: true });
    const ends: StreamEnd[] = [];
    observeStream(stream, { see: () => true, end: (how) => void ends.push(how) });
    return { stream, ends };
  }

  it("tells a stream read to the end from one stopped by break or abort, or failed", async () => {
    const whole = await observed("gpt-4o");
    await collect(whole.stream);
    const left = await observed("gpt-4o");
    for await (const _ of left.stream) break;
    // The SDK ends an aborted stream quietly, as if it were complete.
    const aborted = await observed("hold-open");
    for await (const _ of aborted.stream) aborted.stream.controller.abort();
    const failed = await observed("cut");
    await expect(collect(failed.stream)).rejects.toThrow();
    expect([whole.ends, left.ends, aborted.ends, failed.ends]).toEqual([["complete"], ["stopped"], ["stopped"], ["failed"]]);
  });

  it("ends once: for a stream aborted before it is read, and for one read again after its end", async () => {
    const early = await observed("hold-open");
    early.stream.controller.abort();
    expect(early.ends).toEqual(["stopped"]);
    await collect(early.stream);
    const twice = await observed("gpt-4o");
    await collect(twice.stream);
    await expect(collect(twice.stream)).rejects.toThrow("Cannot iterate over a consumed stream");
    expect([early.ends, twice.ends]).toEqual([["stopped"], ["complete"]]);
  });
});
