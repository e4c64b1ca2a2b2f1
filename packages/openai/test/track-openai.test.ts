import { afterAll, beforeAll, describe, expect, it } from "vitest";
import OpenAI from "openai";
import { countTokens } from "gpt-tokenizer";
import { withUsageContext } from "@llm-accounting/core";
import { collect } from "@llm-accounting/sdk-kit/testing";
import { trackOpenAI } from "../src/index.js";
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
