import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countTokens } from "gpt-tokenizer";
import { QuotaExceededError } from "@llm-accounting/core";
import { collect, DENY_ALL_REQUESTS } from "@llm-accounting/sdk-kit/testing";
import { flushUsage } from "../src/index.js";
import { anthropicClients } from "./anthropic-clients.js";
import { MODEL } from "./fake-anthropic-server.js";

// Streams cut short, against a local server speaking Anthropic's SSE: each call is recorded once,
// with the input usage of message_start and the latest (cumulative) message_delta, its output also
// counted locally, and marked estimated.

const clients = anthropicClients("llm-acct-anthropic-cut-");
const { rows, tracked } = clients;
beforeAll(clients.start);
afterAll(clients.stop);

const request = { model: "claude-sonnet-4-5", max_tokens: 256, system: "Be brief", messages: [{ role: "user" as const, content: "Say hello to the world" }], stream: true as const };
// The input message_start reports: 12 uncached + 100 read from the cache + 30 written to it.
const INPUT = { model: MODEL, promptTokens: 142, cachedTokens: 100, cacheWriteTokens: 30 };
const EXACT = { ...INPUT, completionTokens: 9, totalTokens: 151, localCompletionTokens: 0, usageEstimated: false };
// Cut after the head: message_start's 1 output token, and "Hello" counted locally (1).
const CUT = { ...INPUT, completionTokens: 1, localCompletionTokens: 1, usageEstimated: true };

describe("trackAnthropic: message streams cut short", () => {
  it("records a stream read to the end once, with the reported usage, not estimated", async () => {
    const { accounting, client } = tracked();
    expect(await collect(await client.messages.create(request))).toHaveLength(7);
    expect(await rows(accounting, client)).toEqual([expect.objectContaining(EXACT)]);
  });

  it("takes the latest of several cumulative message_delta usages, never their sum", async () => {
    const { accounting, client } = tracked();
    const events = await collect(await client.messages.create({ ...request, model: "cumulative" }));
    expect(events.filter((event) => event.type === "message_delta").map((event) => event.usage.output_tokens)).toEqual([4, 9]);
    expect(await rows(accounting, client)).toEqual([expect.objectContaining(EXACT)]);
  });

  it("records the usage so far when the connection drops after a message_delta that was not the last", async () => {
    const { accounting, client } = tracked();
    await expect(collect(await client.messages.create({ ...request, model: "cut-after-delta" }))).rejects.toThrow();
    // 4 output tokens reported so far, more than the 2 of "Hello world" counted locally.
    expect(await rows(accounting, client)).toEqual([expect.objectContaining({ ...INPUT, completionTokens: 4, localCompletionTokens: 2, usageEstimated: true })]);
  });

  it("records the input and the text seen so far when the consumer breaks after the first delta", async () => {
    const { accounting, client } = tracked();
    for await (const event of await client.messages.create(request)) if (event.type === "content_block_delta") break;
    expect(await rows(accounting, client)).toEqual([expect.objectContaining(CUT)]);
  });

  it("records an abort through the request's AbortController, or the stream's controller", async () => {
    const { accounting, client } = tracked();
    const abort = new AbortController();
    // The server sends the head and waits: only the abort ends this loop (quietly, as the SDK does).
    for await (const event of await client.messages.create({ ...request, model: "hold-open" }, { signal: abort.signal })) {
      if (event.type === "content_block_delta") abort.abort();
    }
    const stream = await client.messages.create({ ...request, model: "hold-open" });
    for await (const event of stream) if (event.type === "content_block_delta") stream.controller.abort();
    expect(await rows(accounting, client)).toEqual([expect.objectContaining(CUT), expect.objectContaining(CUT)]);
  });

  it("records what arrived when the server drops the connection midway, and the caller gets the error", async () => {
    const { accounting, client } = tracked();
    const types: string[] = [];
    const reading = (async () => {
      for await (const event of await client.messages.create({ ...request, model: "cut" })) types.push(event.type);
    })();
    await expect(reading).rejects.toThrow();
    expect(types).toEqual(["message_start", "content_block_start", "content_block_delta", "content_block_delta"]);
    // "Hello world" counted locally (2) is more than the 1 output token message_start reported.
    expect(await rows(accounting, client)).toEqual([expect.objectContaining({ ...CUT, completionTokens: 2, localCompletionTokens: 2 })]);
  });

  it("records a stream aborted before it was read, with the prompt counted locally, once even if read after", async () => {
    const { accounting, client } = tracked();
    const stream = await client.messages.create({ ...request, model: "hold-open" });
    stream.controller.abort();
    const local = countTokens("Be brief\nSay hello to the world") + 6;
    const row = { model: "hold-open", promptTokens: local, localPromptTokens: local, completionTokens: 0, usageEstimated: true };
    expect(await rows(accounting, client)).toEqual([expect.objectContaining(row)]);
    expect(await collect(stream)).toEqual([]);
    expect(await rows(accounting, client)).toEqual([expect.objectContaining(row)]);
  });

  it("records a tee()d stream once, with the final usage, when one branch stops early and the other reads on", async () => {
    const { accounting, client } = tracked();
    const [left, right] = (await client.messages.create({ ...request, model: "cumulative" })).tee();
    for await (const _ of left) break;
    expect(await collect(right)).toHaveLength(8);
    expect(await rows(accounting, client)).toEqual([expect.objectContaining(EXACT)]);
  });

  it("records the messages.stream() helper once when it is aborted midway", async () => {
    const { accounting, client } = tracked();
    const { stream: _, ...body } = request;
    const helper = client.messages.stream({ ...body, model: "hold-open" });
    helper.on("text", () => helper.abort());
    await expect(helper.done()).rejects.toThrow();
    expect(await rows(accounting, client)).toEqual([expect.objectContaining(CUT)]);
  });
});

describe("trackAnthropic: guarded streams cut short", () => {
  it("commits the known usage of a cut stream in place of its reservation, freeing the rest of the budget", async () => {
    const { accounting, client } = tracked({ guard: true });
    // Each call reserves its 50-token max_tokens: a reservation still held (or committed whole)
    // after the cut would leave no room for the next call.
    await accounting.setUsageLimit({ ...DENY_ALL_REQUESTS, limitType: "output_tokens", maxValue: 55 });
    const body = { ...request, max_tokens: 50 };
    await expect(collect(await client.messages.create({ ...body, model: "cut" }))).rejects.toThrow();
    await flushUsage(client);
    for await (const event of await client.messages.create(body)) if (event.type === "content_block_delta") break;
    await flushUsage(client);
    const aborted = await client.messages.create({ ...body, model: "hold-open" });
    aborted.controller.abort();
    expect(await rows(accounting, client)).toEqual([
      expect.objectContaining({ model: "hold-open", completionTokens: 0, usageEstimated: true }),
      expect.objectContaining(CUT),
      expect.objectContaining({ ...CUT, completionTokens: 2, localCompletionTokens: 2 }),
    ]);
    // 3 output tokens spent: a fourth call's 50 still fit; after its 9, a fifth's do not.
    await collect(await client.messages.create(body));
    await flushUsage(client);
    await expect(client.messages.create(body)).rejects.toBeInstanceOf(QuotaExceededError);
  });
});
