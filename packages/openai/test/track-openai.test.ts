import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import OpenAI from "openai";
import { countTokens } from "gpt-tokenizer";
import { QuotaExceededError, withUsageContext, type UsageInput } from "@llm-accounting/core";
import { collect, DENY_ALL_REQUESTS, failingSinks } from "@llm-accounting/sdk-kit/testing";
import { flushUsage, trackOpenAI } from "../src/index.js";
import { CHAT_MODEL, RESPONSES_MODEL } from "./fake-openai-server.js";
import { openAIClients } from "./openai-clients.js";

const clients = openAIClients("llm-acct-openai-");
const { accountings, rows, track: tracked } = clients;
const openAccounting = accountings.open;
beforeAll(clients.start);
afterAll(clients.stop);

const messages = [{ role: "user" as const, content: "Say hello to the world" }];

describe("trackOpenAI: chat completions", () => {
  it("records a non-streaming call with the reported model, tokens (cached not double counted), names and time", async () => {
    const accounting = openAccounting();
    const client = tracked(accounting, { username: "ann", project: "p1", callerName: "bot" });
    const completion = await client.chat.completions.create({ model: "gpt-4o", messages });
    expect(completion).toEqual(await clients.plain().chat.completions.create({ model: "gpt-4o", messages }));
    const [row, ...rest] = await rows(accounting, client);
    expect(rest).toEqual([]);
    expect(row).toMatchObject({ model: CHAT_MODEL, promptTokens: 20, completionTokens: 7, totalTokens: 27, cachedTokens: 8, reasoningTokens: 2, username: "ann", project: "p1", callerName: "bot", session: null });
    expect(row?.executionTime).toBeGreaterThan(0);
    expect(row?.localPromptTokens).toBe(0);
  });

  it("records the cost a router reports in usage.cost (OpenRouter) as the provider's, streamed or not", async () => {
    const accounting = openAccounting();
    const client = tracked(accounting);
    await client.chat.completions.create({ model: "openrouter/auto", messages });
    await collect(await client.chat.completions.create({ model: "openrouter/auto", messages, stream: true }));
    await client.chat.completions.create({ model: "gpt-4o", messages });
    const [plainCall, streamed, whole] = await rows(accounting, client);
    // 0.000123 USD = 123,000 nano-dollars, as reported; no price of ours is asked.
    expect([whole?.costNanos, whole?.costSource]).toEqual([123_000n, "provider"]);
    expect([streamed?.costNanos, streamed?.costSource]).toEqual([123_000n, "provider"]);
    expect(plainCall?.costSource).not.toBe("provider");
  });

  it("records the service tier the response names (default as standard), else the one asked for, and prices it", async () => {
    // A pricer that shows which tier it was asked about: the tier reaches pricing.
    const accounting = openAccounting({ pricer: { quote: (u) => ({ priced: true, costNanos: u.serviceTier === "flex" ? 1n : 2n, source: "test" }) } });
    const client = tracked(accounting);
    await client.chat.completions.create({ model: "gpt-4o", messages, service_tier: "flex" });
    await collect(await client.chat.completions.create({ model: "gpt-4o", messages, service_tier: "auto", stream: true }));
    await client.responses.create({ model: "gpt-4.1", input: "Hi", service_tier: "priority" });
    await client.chat.completions.create({ model: "gpt-4o", messages });
    const [none, responses, streamed, flex] = await rows(accounting, client);
    expect([flex?.serviceTier, flex?.costNanos]).toEqual(["flex", 1n]);
    expect(streamed?.serviceTier).toBe("standard");
    expect(responses?.serviceTier).toBe("priority");
    expect(none?.serviceTier).toBeNull();
  });

  it("takes per-call names from withUsageContext, over the client's static names", async () => {
    const accounting = openAccounting();
    const client = tracked(accounting, { username: "static-user", project: "p1" });
    await withUsageContext({ username: "ctx-user", session: "s-9" }, () => client.chat.completions.create({ model: "gpt-4o", messages }));
    const stream = await withUsageContext({ callerName: "ctx-caller" }, () => client.chat.completions.create({ model: "gpt-4o", messages, stream: true }));
    await collect(stream); // read outside the context: the names were captured when the call was made
    const [streamed, first] = await rows(accounting, client);
    expect(first).toMatchObject({ username: "ctx-user", project: "p1", session: "s-9", callerName: null });
    expect(streamed).toMatchObject({ username: "static-user", project: "p1", callerName: "ctx-caller" });
  });

  it("streams the same chunks as the plain client, hiding the usage chunk it asked for, and records the usage", async () => {
    const accounting = openAccounting();
    const client = tracked(accounting);
    const before = clients.server.requests.length;
    const body = { model: "gpt-4o", messages, stream: true as const };
    const seen = await collect(await client.chat.completions.create(body));
    const expected = await collect(await clients.plain().chat.completions.create(body));
    expect(seen).toEqual(expected);
    expect(seen.every((chunk) => !("usage" in chunk) && chunk.choices.length > 0)).toBe(true);
    const sent = clients.server.requests.slice(before).map((request) => request.body.stream_options);
    expect(sent).toEqual([{ include_usage: true }, undefined]);
    expect(body).not.toHaveProperty("stream_options");
    const [row] = await rows(accounting, client);
    expect(row).toMatchObject({ model: CHAT_MODEL, promptTokens: 20, completionTokens: 7, cachedTokens: 8, reasoningTokens: 2 });
    expect(row?.executionTime).toBeGreaterThan(0);
  });

  it("leaves a caller's own include_usage alone, usage chunk included", async () => {
    const accounting = openAccounting();
    const client = tracked(accounting);
    const before = clients.server.requests.length;
    const body = { model: "gpt-4o", messages, stream: true as const, stream_options: { include_usage: true } };
    const seen = await collect(await client.chat.completions.create(body));
    expect(seen).toEqual(await collect(await clients.plain().chat.completions.create(body)));
    expect(seen.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 20 } });
    expect(clients.server.requests.slice(before).map((request) => request.body.stream_options)).toEqual([{ include_usage: true }, { include_usage: true }]);
    expect(await rows(accounting, client)).toMatchObject([{ promptTokens: 20, completionTokens: 7 }]);
  });

  it("keeps toReadableStream() and tee() working", async () => {
    const accounting = openAccounting();
    const client = tracked(accounting);
    const stream = await client.chat.completions.create({ model: "gpt-4o", messages, stream: true });
    const text = await new Response(stream.toReadableStream()).text();
    const lines = text.trim().split("\n").map((line) => JSON.parse(line) as { choices: unknown[] });
    expect(lines).toHaveLength(4);
    expect(lines.every((line) => line.choices.length === 1)).toBe(true);
    const [left, right] = (await client.chat.completions.create({ model: "gpt-4o", messages, stream: true })).tee();
    expect(await collect(left)).toEqual(await collect(right));
    expect(await rows(accounting, client)).toMatchObject([{ promptTokens: 20 }, { promptTokens: 20 }]);
  });

  it("records an estimate when the consumer stops early or aborts (no usage arrived)", async () => {
    const accounting = openAccounting();
    const client = tracked(accounting);
    const closedBefore = clients.server.closedByClient();
    // The server sends one chunk and then waits: only closing the stream ends these loops.
    for await (const chunk of await client.chat.completions.create({ model: "hold-open", messages, stream: true })) {
      if (chunk.choices[0]?.delta.content === "Hello") break;
    }
    const aborted = await client.chat.completions.create({ model: "hold-open", messages, stream: true });
    const seen: string[] = [];
    for await (const chunk of aborted) {
      seen.push(chunk.choices[0]?.delta.content ?? "");
      if (seen.includes("Hello")) aborted.controller.abort();
    }
    expect(seen).toEqual(["", "Hello"]);
    const stored = await rows(accounting, client);
    const prompt = countTokens("Say hello to the world") + 6;
    expect(stored).toMatchObject([0, 1].map(() => ({ model: CHAT_MODEL, promptTokens: prompt, localPromptTokens: prompt, completionTokens: 1, localCompletionTokens: 1 })));
    await expect.poll(() => clients.server.closedByClient(), { timeout: 30_000 }).toBe(closedBefore + 2);
  });

  it("records what is known when the stream fails, and the caller still gets the error", async () => {
    const accounting = openAccounting();
    const client = tracked(accounting);
    const stream = await client.chat.completions.create({ model: "stream-error", messages, stream: true });
    await expect(collect(stream)).rejects.toThrow("upstream failed");
    expect(await rows(accounting, client)).toMatchObject([{ model: CHAT_MODEL, completionTokens: 1, localCompletionTokens: 1 }]);
  });

  it("counts local tokens with gpt-tokenizer when asked", async () => {
    const accounting = openAccounting();
    const client = tracked(accounting, { countLocalTokens: true });
    await client.chat.completions.create({ model: "gpt-4o", messages });
    expect(await rows(accounting, client)).toMatchObject([
      { promptTokens: 20, localPromptTokens: countTokens("Say hello to the world") + 6, localCompletionTokens: countTokens("Hello world") },
    ]);
  });

  it("keeps withResponse() and records the SDK's own helpers (stream(), parse())", async () => {
    const accounting = openAccounting();
    const client = tracked(accounting);
    const { data, response } = await client.chat.completions.create({ model: "gpt-4o", messages }).withResponse();
    expect(data.choices[0]?.message.content).toBe("Hello world");
    expect(response.headers.get("x-request-id")).toBe("req_test");
    const final = await client.chat.completions.stream({ model: "gpt-4o", messages }).finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe("Hello world");
    await client.chat.completions.parse({ model: "gpt-4o", messages });
    expect(await rows(accounting, client)).toMatchObject([{ promptTokens: 20 }, { promptTokens: 20 }, { promptTokens: 20 }]);
  });

  it("leaves the wrapped client untouched and tracks its withOptions() copies", async () => {
    const accounting = openAccounting();
    const base = clients.plain();
    const client = trackOpenAI(base, { accounting, project: "copies" });
    expect(client).toBeInstanceOf(OpenAI);
    await base.chat.completions.create({ model: "gpt-4o", messages });
    await base.responses.create({ model: "gpt-4.1", input: "hi" });
    expect(await rows(accounting, client)).toEqual([]);
    const copy = client.withOptions({ timeout: 60_000 });
    await copy.chat.completions.create({ model: "gpt-4o", messages });
    expect(await rows(accounting, client)).toMatchObject([{ project: "copies", promptTokens: 20 }]);
  });

  it("records nothing for a failed request, and passes the SDK's error through", async () => {
    const accounting = openAccounting();
    const client = tracked(accounting);
    await expect(client.chat.completions.create({ model: "error-400", messages })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    expect(await rows(accounting, client)).toEqual([]);
  });
});

describe("trackOpenAI: pricing", () => {
  it("leaves the cost to the facade's pricer, with provider 'openai' as the hint", async () => {
    const { createPricer } = await import("@llm-accounting/pricing");
    const pricer = createPricer({
      catalog: false,
      overrides: [
        { model: CHAT_MODEL, inputPerMTok: 100, outputPerMTok: 100 },
        { model: CHAT_MODEL, provider: "openai", inputPerMTok: 2.5, cacheReadPerMTok: 1.25, outputPerMTok: 10 },
      ],
    });
    const accounting = openAccounting({ pricer });
    const client = tracked(accounting);
    await client.chat.completions.create({ model: "gpt-4o", messages });
    // 12 uncached input tokens at $2.50, 8 cached at $1.25 and 7 output at $10 per million.
    expect((await rows(accounting, client))[0]?.costNanos).toBe(110_000n);
  });
});

describe("trackOpenAI: responses", () => {
  it("records non-streaming and streaming calls, the stream events unchanged", async () => {
    const accounting = openAccounting();
    const client = tracked(accounting, { project: "p2" });
    const response = await client.responses.create({ model: "gpt-4.1", input: "Say hi", instructions: "Be brief" });
    expect(response.output_text).toBe("Hi there");
    const events = await collect(await client.responses.create({ model: "gpt-4.1", input: "Say hi", stream: true }));
    expect(events).toEqual(await collect(await clients.plain().responses.create({ model: "gpt-4.1", input: "Say hi", stream: true })));
    expect(events.map((event) => event.type)).toContain("response.completed");
    const stored = await rows(accounting, client);
    expect(stored).toHaveLength(2);
    for (const row of stored) {
      expect(row).toMatchObject({ model: RESPONSES_MODEL, promptTokens: 30, completionTokens: 12, totalTokens: 42, cachedTokens: 10, reasoningTokens: 4, project: "p2" });
      expect(row.executionTime).toBeGreaterThan(0);
    }
  });

  it("records the responses.stream() helper once", async () => {
    const accounting = openAccounting();
    const client = tracked(accounting);
    const final = await client.responses.stream({ model: "gpt-4.1", input: "Say hi" }).finalResponse();
    expect(final.usage?.input_tokens).toBe(30);
    expect(await rows(accounting, client)).toMatchObject([{ model: RESPONSES_MODEL, promptTokens: 30 }]);
  });
});

describe("trackOpenAI: guard", () => {
  it("refuses a call over the limit with QuotaExceededError before any request is sent", async () => {
    const accounting = openAccounting();
    await accounting.setUsageLimit(DENY_ALL_REQUESTS);
    const client = tracked(accounting, { guard: true });
    const before = clients.server.requests.length;
    await expect(client.chat.completions.create({ model: "gpt-4o", messages })).rejects.toBeInstanceOf(QuotaExceededError);
    await expect(client.chat.completions.create({ model: "gpt-4o", messages, stream: true })).rejects.toBeInstanceOf(QuotaExceededError);
    await expect(client.responses.create({ model: "gpt-4.1", input: "hi" })).rejects.toBeInstanceOf(QuotaExceededError);
    // The SDK's stream helpers wrap errors that are not its own: the denial is the cause.
    await expect(client.chat.completions.stream({ model: "gpt-4o", messages }).finalChatCompletion()).rejects.toMatchObject({ cause: expect.any(QuotaExceededError) });
    expect(clients.server.requests.length).toBe(before);
    expect(await rows(accounting, client)).toEqual([]);
  });

  it("reserves with the local prompt estimate and the output cap, then commits the actual usage", async () => {
    const accounting = openAccounting();
    // 1 request a day: a failed call must give its reservation back, or the next one is refused.
    await accounting.setUsageLimit({ ...DENY_ALL_REQUESTS, maxValue: 1 });
    await accounting.setUsageLimit({ ...DENY_ALL_REQUESTS, limitType: "input_tokens", maxValue: countTokens("Say hello to the world") + 6 });
    const client = tracked(accounting, { guard: true, username: "ann" });
    await expect(client.chat.completions.create({ model: "error-400", messages })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await flushUsage(client);
    const { data } = await client.chat.completions.create({ model: "gpt-4o", messages, max_completion_tokens: 50 }).withResponse();
    expect(data.usage?.prompt_tokens).toBe(20);
    expect(await rows(accounting, client)).toMatchObject([{ model: CHAT_MODEL, promptTokens: 20, completionTokens: 7, cachedTokens: 8, username: "ann" }]);
    await expect(client.chat.completions.create({ model: "gpt-4o", messages })).rejects.toThrow(QuotaExceededError);
  });

  it("commits a guarded stream when it ends", async () => {
    const accounting = openAccounting();
    const client = tracked(accounting, { guard: true });
    const seen = await collect(await client.chat.completions.create({ model: "gpt-4o", messages, stream: true }));
    expect(seen).toHaveLength(4);
    const events = await collect(await client.responses.create({ model: "gpt-4.1", input: "hi", stream: true, max_output_tokens: 100 }));
    expect(events).toHaveLength(7);
    expect(await rows(accounting, client)).toMatchObject([{ model: RESPONSES_MODEL, promptTokens: 30 }, { model: CHAT_MODEL, promptTokens: 20 }]);
  });
});

describe("trackOpenAI: accounting failures never fail the call", () => {
  it("reports a sink that throws or rejects to onError, and the call returns normally", async () => {
    const errors: unknown[] = [];
    const accounting = openAccounting();
    for (const sink of failingSinks()) {
      const client = tracked(accounting, { sink, onError: (error) => errors.push(error) });
      expect((await client.chat.completions.create({ model: "gpt-4o", messages })).choices[0]?.message.content).toBe("Hello world");
      expect(await collect(await client.chat.completions.create({ model: "gpt-4o", messages, stream: true }))).toHaveLength(4);
      await flushUsage(client);
    }
    expect(errors.map((error) => (error as Error).message)).toEqual(["sink down", "sink down", "sink rejected", "sink rejected"]);
  });

  it("fails open on a broken store, guard included, and goes on when onError itself throws", async () => {
    const accounting = accountings.openBroken();
    const errors: unknown[] = [];
    const client = tracked(accounting, { guard: true, onError: (error) => errors.push(error) });
    expect((await client.chat.completions.create({ model: "gpt-4o", messages })).usage?.total_tokens).toBe(27);
    await flushUsage(client);
    expect(errors).toHaveLength(2); // the reservation, then the record
    const loud = tracked(accounting, { onError: () => { throw new Error("handler broke"); } });
    expect(await loud.responses.create({ model: "gpt-4.1", input: "hi" })).toMatchObject({ output_text: "Hi there" });
    await flushUsage(loud);
  });

  it("warns once per client by default", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    try {
      const client = tracked(openAccounting(), { sink: { trackUsage: (): never => { throw new Error("sink down"); } } });
      await client.chat.completions.create({ model: "gpt-4o", messages });
      await client.responses.create({ model: "gpt-4.1", input: "hi" });
      await flushUsage(client);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]?.[0])).toContain("openai call could not be recorded");
    } finally {
      warn.mockRestore();
    }
  });

  it("sends the records to a buffered sink instead of the facade", async () => {
    const accounting = openAccounting();
    const buffered: UsageInput[] = [];
    const client = tracked(accounting, { sink: { trackUsage: (input: UsageInput) => buffered.push(input) }, callerName: "svc" });
    await client.chat.completions.create({ model: "gpt-4o", messages });
    await flushUsage(client);
    expect(buffered).toMatchObject([{ model: CHAT_MODEL, provider: "openai", promptTokens: 20, callerName: "svc" }]);
    expect(buffered[0]).not.toHaveProperty("cost");
    expect(await accounting.tail(-1)).toEqual([]);
  });
});
