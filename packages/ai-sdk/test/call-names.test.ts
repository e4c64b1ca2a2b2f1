import { createOpenAI } from "@ai-sdk/openai";
import { resolveCallNames, type Accounting, type AccountingOptions } from "@llm-accounting/core";
import { checkCallNames, testAccountings } from "@llm-accounting/sdk-kit/testing";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { generateText, wrapLanguageModel } from "ai";
import { afterAll, beforeAll, describe, it, vi } from "vitest";
import { accountingMiddleware, type AccountingMiddlewareOptions } from "../src/index.js";
import { startOpenAIServer, type OpenAIServer } from "./openai-server.js";

// The resolver, watched: a middleware that worked out its names on its own would never call it.
vi.mock("@llm-accounting/core", async (importOriginal) => {
  const core = await importOriginal<typeof import("@llm-accounting/core")>();
  return { ...core, resolveCallNames: vi.fn(core.resolveCallNames) };
});

const accountings = testAccountings("llm-acct-ai-sdk-names-", (file) => new SqliteStore({ file: `${file}.sqlite` }));
let server: OpenAIServer;
beforeAll(async () => {
  server = await startOpenAIServer();
});
afterAll(async () => {
  await server.close();
  accountings.remove();
});

/** Models wrapped with the middleware over facades on fresh store files; the middleware stores a generated call before it returns. */
const models = {
  tracked: (options: Omit<AccountingMiddlewareOptions, "accounting">, facade: Omit<AccountingOptions, "store">) => {
    const accounting = accountings.open(facade);
    const middleware = accountingMiddleware({ ...options, accounting });
    return { accounting, client: wrapLanguageModel({ model: createOpenAI({ apiKey: "test", baseURL: server.baseURL }).chat("gpt-4o-mini"), middleware }) };
  },
  rows: (accounting: Accounting) => accounting.tail(-1),
};

describe("accountingMiddleware: a call's names come from core's resolveCallNames", () => {
  it("resolves the usage context over the middleware's names when the call starts; the facade adds its defaults", () =>
    checkCallNames(models, (model) => generateText({ model, prompt: "hi" }), () => vi.mocked(resolveCallNames).mock.calls));
});
