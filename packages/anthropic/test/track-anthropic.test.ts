import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Anthropic from "@anthropic-ai/sdk";
import { countTokens } from "gpt-tokenizer";
import { QuotaExceededError, withUsageContext, type UsageInput } from "@llm-accounting/core";
import { collect, DENY_ALL_REQUESTS, failingSinks } from "@llm-accounting/sdk-kit/testing";
import { flushUsage, trackAnthropic } from "../src/index.js";
import { anthropicClients } from "./anthropic-clients.js";
import { MODEL } from "./fake-anthropic-server.js";

const clients = anthropicClients("llm-acct-anthropic-");
const { accountings, rows, track: tracked } = clients;
const openAccounting = accountings.open;
beforeAll(clients.start);
afterAll(clients.stop);

const request = { model: "claude-sonnet-4-5", max_tokens: 256, system: "Be brief", messages: [{ role: "user" as const, content: "Say hello to the world" }] };
// The whole input: 12 uncached + 100 read from the cache + 30 written to it.
const exact = { model: MODEL, promptTokens: 142, completionTokens: 9, totalTokens: 151, cachedTokens: 100, cacheWriteTokens: 30, reasoningTokens: 0 };

describe("trackAnthropic: messages.create", () => {
  it("records a non-streaming call: reported model, cache reads and writes inside promptTokens, names, time", async () => {
    const accounting = openAccounting();
    const client = tracked(accounting, { username: "ann", project: "p1", callerName: "bot" });
    const message = await client.messages.create(request);
    expect(message).toEqual(await clients.plain().messages.create(request));
    const [row, ...rest] = await rows(accounting, client);
    expect(rest).toEqual([]);
    expect(row).toMatchObject({ ...exact, username: "ann", project: "p1", callerName: "bot", session: null, localPromptTokens: 0 });
    expect(row?.executionTime).toBeGreaterThan(0);
  });

  it("streams the same events as the plain client and records the usage of message_start and message_delta", async () => {
    const accounting = openAccounting();
    const client = tracked(accounting);
    const before = clients.server.requests.length;
    const events = await collect(await client.messages.create({ ...request, stream: true }));
    expect(events).toEqual(await collect(await clients.plain().messages.create({ ...request, stream: true })));
    expect(events.map((event) => event.type)).toEqual(["message_start", "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop"]);
    // The request goes out as the caller wrote it.
    expect(clients.server.requests[before]?.body).toEqual(clients.server.requests[before + 1]?.body);
    const [row] = await rows(accounting, client);
    expect(row).toMatchObject(exact);
    expect(row?.executionTime).toBeGreaterThan(0);
  });

  it("records the cache writes' split by TTL (1-hour part inside the writes) and usage.service_tier, streamed or not", async () => {
    const accounting = openAccounting();
    const client = tracked(accounting);
    await client.messages.create({ ...request, model: "split-usage" });
    await collect(await client.messages.create({ ...request, model: "split-usage", stream: true }));
    await client.messages.create(request);
    const [plainCall, streamed, whole] = await rows(accounting, client);
    expect(whole).toMatchObject({ ...exact, cacheWriteTokens: 30, cacheWrite1hTokens: 20, serviceTier: "batch" });
    expect(streamed).toMatchObject({ ...exact, cacheWriteTokens: 30, cacheWrite1hTokens: 20, serviceTier: "batch" });
    // Without the split every write is a 5-minute one; without usage.service_tier the tier is unknown.
    expect(plainCall).toMatchObject({ ...exact, cacheWrite1hTokens: 0, serviceTier: null });
  });

  it("takes per-call names from withUsageContext, over the client's static names", async () => {
    const accounting = openAccounting();
    const client = tracked(accounting, { username: "static-user", project: "p1" });
    await withUsageContext({ username: "ctx-user", session: "s-9" }, () => client.messages.create(request));
    const stream = await withUsageContext({ callerName: "ctx-caller" }, () => client.messages.create({ ...request, stream: true }));
    await collect(stream);
    const [streamed, first] = await rows(accounting, client);
    expect(first).toMatchObject({ username: "ctx-user", project: "p1", session: "s-9", callerName: null });
    expect(streamed).toMatchObject({ username: "static-user", project: "p1", callerName: "ctx-caller" });
  });

  it("keeps toReadableStream() working and withResponse() on non-streaming calls", async () => {
    const accounting = openAccounting();
    const client = tracked(accounting);
    const stream = await client.messages.create({ ...request, stream: true });
    const lines = (await new Response(stream.toReadableStream()).text()).trim().split("\n");
    expect(lines).toHaveLength(7);
    const { data, response } = await client.messages.create(request).withResponse();
    expect(data.content).toEqual([{ type: "text", text: "Hello world" }]);
    expect(response.status).toBe(200);
    expect(await rows(accounting, client)).toMatchObject([exact, exact]);
  });

  it("records the input usage and the output received so far when the consumer stops early or aborts", async () => {
    const accounting = openAccounting();
    const client = tracked(accounting);
    const closedBefore = clients.server.closedByClient();
    // The server sends the start and one delta, then waits: only closing the stream ends these loops.
    for await (const event of await client.messages.create({ ...request, model: "hold-open", stream: true })) {
      if (event.type === "content_block_delta") break;
    }
    const aborted = await client.messages.create({ ...request, model: "hold-open", stream: true });
    for await (const event of aborted) if (event.type === "content_block_delta") aborted.controller.abort();
    const partial = { model: MODEL, promptTokens: 142, cachedTokens: 100, cacheWriteTokens: 30, completionTokens: 1, localCompletionTokens: 1 };
    expect(await rows(accounting, client)).toMatchObject([partial, partial]);
    await expect.poll(() => clients.server.closedByClient(), { timeout: 30_000 }).toBe(closedBefore + 2);
  });

  it("records what is known when the stream fails, and the caller still gets the error", async () => {
    const accounting = openAccounting();
    const client = tracked(accounting);
    await expect(collect(await client.messages.create({ ...request, model: "stream-error", stream: true }))).rejects.toThrow("Overloaded");
    expect(await rows(accounting, client)).toMatchObject([{ model: MODEL, promptTokens: 142, completionTokens: 1 }]);
  });

  it("counts local tokens (an approximation for Claude) when asked", async () => {
    const accounting = openAccounting();
    const client = tracked(accounting, { countLocalTokens: true });
    await client.messages.create(request);
    expect(await rows(accounting, client)).toMatchObject([
      { promptTokens: 142, localPromptTokens: countTokens("Be brief\nSay hello to the world") + 6, localCompletionTokens: countTokens("Hello world") },
    ]);
  });

  it("records nothing for a failed request, and passes the SDK's error through", async () => {
    const accounting = openAccounting();
    const client = tracked(accounting);
    await expect(client.messages.create({ ...request, model: "error-400" })).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    expect(await rows(accounting, client)).toEqual([]);
  });
});

describe("trackAnthropic: helpers and other surfaces", () => {
  it("records messages.stream() once, with its events and finalMessage() intact", async () => {
    const accounting = openAccounting();
    const client = tracked(accounting);
    const texts: string[] = [];
    const stream = client.messages.stream(request).on("text", (text) => texts.push(text));
    const final = await stream.finalMessage();
    expect(texts).toEqual(["Hello", " world"]);
    expect(final.usage).toMatchObject({ input_tokens: 12, output_tokens: 9 });
    const events = await collect(client.messages.stream(request));
    expect(events.at(-1)?.type).toBe("message_stop");
    expect((await client.beta.messages.stream(request).finalMessage()).usage.cache_read_input_tokens).toBe(100);
    expect(await rows(accounting, client)).toMatchObject([exact, exact, exact]);
  });

  it("records beta.messages.create and withOptions() copies, and leaves the wrapped client untouched", async () => {
    const accounting = openAccounting();
    const base = clients.plain();
    const client = trackAnthropic(base, { accounting, project: "beta" });
    expect(client).toBeInstanceOf(Anthropic);
    await base.messages.create(request);
    expect(await rows(accounting, client)).toEqual([]);
    await client.beta.messages.create(request);
    await client.withOptions({ timeout: 60_000 }).messages.create(request);
    expect(await rows(accounting, client)).toMatchObject([{ ...exact, project: "beta" }, { ...exact, project: "beta" }]);
  });
});

describe("trackAnthropic: guard", () => {
  it("refuses a call over the limit with QuotaExceededError before any request is sent", async () => {
    const accounting = openAccounting();
    await accounting.setUsageLimit(DENY_ALL_REQUESTS);
    const client = tracked(accounting, { guard: true });
    const before = clients.server.requests.length;
    await expect(client.messages.create(request)).rejects.toBeInstanceOf(QuotaExceededError);
    await expect(client.messages.create({ ...request, stream: true })).rejects.toBeInstanceOf(QuotaExceededError);
    // messages.stream() wraps errors that are not the SDK's own: the denial is the cause.
    await expect(client.messages.stream(request).finalMessage()).rejects.toMatchObject({ cause: expect.any(QuotaExceededError) });
    expect(clients.server.requests.length).toBe(before);
    expect(await rows(accounting, client)).toEqual([]);
  });

  it("reserves max_tokens as the output, cancels on failure and commits the actual usage", async () => {
    const accounting = openAccounting();
    // 1 request a day: a failed call must give its reservation back, or the next one is refused.
    await accounting.setUsageLimit({ ...DENY_ALL_REQUESTS, maxValue: 1 });
    await accounting.setUsageLimit({ ...DENY_ALL_REQUESTS, limitType: "output_tokens", maxValue: 256 });
    const client = tracked(accounting, { guard: true, username: "ann" });
    await expect(client.messages.create({ ...request, model: "error-400" })).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    await flushUsage(client);
    await expect(client.messages.create({ ...request, max_tokens: 257 })).rejects.toBeInstanceOf(QuotaExceededError);
    const events = await collect(await client.messages.create({ ...request, stream: true }));
    expect(events).toHaveLength(7);
    expect(await rows(accounting, client)).toMatchObject([{ ...exact, username: "ann" }]);
    await expect(client.messages.create(request)).rejects.toThrow(QuotaExceededError);
  });
});

describe("trackAnthropic: accounting failures never fail the call", () => {
  it("reports a sink that throws or rejects to onError, and the call returns normally", async () => {
    const errors: unknown[] = [];
    const accounting = openAccounting();
    for (const sink of failingSinks()) {
      const client = tracked(accounting, { sink, onError: (error) => errors.push(error) });
      expect((await client.messages.create(request)).content).toHaveLength(1);
      expect(await collect(await client.messages.create({ ...request, stream: true }))).toHaveLength(7);
      await flushUsage(client);
    }
    expect(errors.map((error) => (error as Error).message)).toEqual(["sink down", "sink down", "sink rejected", "sink rejected"]);
  });

  it("fails open on a broken store, guard included", async () => {
    const accounting = accountings.openBroken();
    const errors: unknown[] = [];
    const client = tracked(accounting, { guard: true, onError: (error) => errors.push(error) });
    expect((await client.messages.create(request)).usage.output_tokens).toBe(9);
    await flushUsage(client);
    expect(errors).toHaveLength(2); // the reservation, then the record
  });

  it("hands the records to a buffered sink with the provider hint and no cost", async () => {
    const accounting = openAccounting();
    const buffered: UsageInput[] = [];
    const client = tracked(accounting, { sink: { trackUsage: (input: UsageInput) => buffered.push(input) } });
    await client.messages.create(request);
    await flushUsage(client);
    expect(buffered).toMatchObject([{ model: MODEL, provider: "anthropic", promptTokens: 142, cachedTokens: 100, cacheWriteTokens: 30 }]);
    expect(buffered[0]).not.toHaveProperty("cost");
    expect(await accounting.tail(-1)).toEqual([]);
  });
});
