import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import Anthropic from "@anthropic-ai/sdk";
import { resolveCallNames, withUsageContext } from "@llm-accounting/core";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { rowsAfterFlush, testAccountings } from "@llm-accounting/sdk-kit/testing";
import { flushUsage, trackAnthropic } from "../src/index.js";
import { startFakeAnthropic, type FakeAnthropic } from "./fake-anthropic-server.js";

// The resolver, watched: a wrapper that worked out its names on its own would never call it.
vi.mock("@llm-accounting/core", async (importOriginal) => {
  const core = await importOriginal<typeof import("@llm-accounting/core")>();
  return { ...core, resolveCallNames: vi.fn(core.resolveCallNames) };
});

const accountings = testAccountings("llm-acct-anthropic-names-", (file) => new SqliteStore({ file: `${file}.sqlite` }));
const rows = rowsAfterFlush(flushUsage);
let server: FakeAnthropic;
beforeAll(async () => {
  server = await startFakeAnthropic();
});
afterAll(async () => {
  await server.close();
  accountings.remove();
});

describe("trackAnthropic: a call's names come from core's resolveCallNames", () => {
  it("resolves the usage context over the client's names when the call starts; the facade adds its defaults", async () => {
    const accounting = accountings.open({ appName: "def-caller", onUnpriced: () => undefined });
    const client = trackAnthropic(new Anthropic({ apiKey: "test", baseURL: server.baseURL, maxRetries: 0 }), { accounting, username: "opt-user", project: "opt-project", guard: true, allowUnpricedCalls: true });
    vi.mocked(resolveCallNames).mockClear();
    // A null in the context falls through to the client's name (the resolver's rule), as absent does.
    const request = { model: "claude-sonnet-4-5", max_tokens: 64, messages: [{ role: "user" as const, content: "hi" }] };
    await withUsageContext({ username: null, project: "ctx-project", session: "s-1" }, () => client.messages.create(request));
    expect(resolveCallNames).toHaveBeenCalledWith({ context: expect.objectContaining({ project: "ctx-project" }), wrapper: expect.objectContaining({ project: "opt-project" }) }, { check: false });
    const [row] = await rows(accounting, client);
    expect(row).toMatchObject({ username: "opt-user", project: "ctx-project", callerName: "def-caller", session: "s-1" });
  });
});
