import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import OpenAI from "openai";
import { countTokens } from "gpt-tokenizer";
import { QuotaExceededError, type UsageInput } from "@llm-accounting/core";
import { collect, DENY_ALL_REQUESTS, failingSinks } from "@llm-accounting/sdk-kit/testing";
import { flushUsage } from "../src/index.js";
import { CHAT_MODEL, RESPONSES_MODEL } from "./fake-openai-server.js";
import { openAIClients } from "./openai-clients.js";

const clients = openAIClients("llm-acct-openai-guard-");
const { accountings, rows, track: tracked } = clients;
const openAccounting = accountings.open;
beforeAll(clients.start);
afterAll(clients.stop);

const messages = [{ role: "user" as const, content: "Say hello to the world" }];

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
