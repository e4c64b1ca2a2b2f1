import { afterAll, beforeAll, describe, it, vi } from "vitest";
import { resolveCallNames } from "@llm-accounting/core";
import { checkCallNames } from "@llm-accounting/sdk-kit/testing";
import { anthropicClients } from "./anthropic-clients.js";

// The resolver, watched: a wrapper that worked out its names on its own would never call it.
vi.mock("@llm-accounting/core", async (importOriginal) => {
  const core = await importOriginal<typeof import("@llm-accounting/core")>();
  return { ...core, resolveCallNames: vi.fn(core.resolveCallNames) };
});

const clients = anthropicClients("llm-acct-anthropic-names-");
beforeAll(clients.start);
afterAll(clients.stop);

describe("trackAnthropic: a call's names come from core's resolveCallNames", () => {
  it("resolves the usage context over the client's names when the call starts; the facade adds its defaults", () =>
    checkCallNames(clients, (client) => client.messages.create({ model: "claude-sonnet-4-5", max_tokens: 64, messages: [{ role: "user", content: "hi" }] }), () => vi.mocked(resolveCallNames).mock.calls));
});
