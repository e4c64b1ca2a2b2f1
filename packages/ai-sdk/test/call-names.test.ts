import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createOpenAI } from "@ai-sdk/openai";
import { Accounting, resolveCallNames, withUsageContext } from "@llm-accounting/core";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { generateText, wrapLanguageModel } from "ai";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { accountingMiddleware } from "../src/index.js";
import { startOpenAIServer, type OpenAIServer } from "./openai-server.js";

// The resolver, watched: a middleware that worked out its names on its own would never call it.
vi.mock("@llm-accounting/core", async (importOriginal) => {
  const core = await importOriginal<typeof import("@llm-accounting/core")>();
  return { ...core, resolveCallNames: vi.fn(core.resolveCallNames) };
});

const dir = mkdtempSync(join(tmpdir(), "llm-acct-ai-sdk-names-"));
let server: OpenAIServer;
beforeAll(async () => {
  server = await startOpenAIServer();
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("accountingMiddleware: a call's names come from core's resolveCallNames", () => {
  it("resolves the usage context over the middleware's names when the call starts; the facade adds its defaults", async () => {
    const accounting = new Accounting({ store: new SqliteStore({ file: join(dir, "usage.sqlite") }), appName: "def-caller", onUnpriced: () => undefined });
    const middleware = accountingMiddleware({ accounting, username: "opt-user", project: "opt-project", guard: true, allowUnpricedCalls: true });
    const model = wrapLanguageModel({ model: createOpenAI({ apiKey: "test", baseURL: server.baseURL }).chat("gpt-4o-mini"), middleware });
    vi.mocked(resolveCallNames).mockClear();
    // A null in the context falls through to the middleware's name (the resolver's rule), as absent does.
    await withUsageContext({ username: null, project: "ctx-project", session: "s-1" }, () => generateText({ model, prompt: "hi" }));
    expect(resolveCallNames).toHaveBeenCalledWith({ context: expect.objectContaining({ project: "ctx-project" }), wrapper: expect.objectContaining({ project: "opt-project" }) }, { check: false });
    const [row] = await accounting.tail(1);
    expect(row).toMatchObject({ username: "opt-user", project: "ctx-project", callerName: "def-caller", session: "s-1" });
    await accounting.close();
  });
});
