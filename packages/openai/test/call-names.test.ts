import { afterAll, beforeAll, describe, it, vi } from "vitest";
import { resolveCallNames } from "@llm-accounting/core";
import { checkCallNames } from "@llm-accounting/sdk-kit/testing";
import { openAIClients } from "./openai-clients.js";

// The resolver, watched: a wrapper that worked out its names on its own would never call it.
vi.mock("@llm-accounting/core", async (importOriginal) => {
  const core = await importOriginal<typeof import("@llm-accounting/core")>();
  return { ...core, resolveCallNames: vi.fn(core.resolveCallNames) };
});

const clients = openAIClients("llm-acct-openai-names-");
beforeAll(clients.start);
afterAll(clients.stop);

describe("trackOpenAI: a call's names come from core's resolveCallNames", () => {
  it("resolves the usage context over the client's names when the call starts; the facade adds its defaults", () =>
    checkCallNames(clients, (client) => client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }), () => vi.mocked(resolveCallNames).mock.calls));
});
