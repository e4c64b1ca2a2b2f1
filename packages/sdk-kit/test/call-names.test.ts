import { afterAll, describe, expect, it, vi } from "vitest";
import { resolveCallNames, withUsageContext } from "@llm-accounting/core";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { testAccountings } from "../src/testing/index.js";
import { tracked } from "../src/index.js";

// The resolver, watched: a wrapper that worked out its names on its own would never call it.
vi.mock("@llm-accounting/core", async (importOriginal) => {
  const core = await importOriginal<typeof import("@llm-accounting/core")>();
  return { ...core, resolveCallNames: vi.fn(core.resolveCallNames) };
});

const accountings = testAccountings("llm-acct-names-", (file) => new SqliteStore({ file: `${file}.sqlite` }));
afterAll(() => accountings.remove());

describe("tracked: a call's names come from core's resolveCallNames", () => {
  it("resolves the usage context over the options when the call starts, and the facade adds its defaults", async () => {
    const accounting = accountings.open({ userName: "def-user", appName: "def-caller", onUnpriced: () => undefined });
    const options = { accounting, model: "m", usage: () => ({ promptTokens: 1 }), guard: true, allowUnpricedCalls: true, username: "opt-user", project: "opt-project", tags: { team: "opt", feature: "ask" } };
    const ask = tracked(async () => "done", options);
    vi.mocked(resolveCallNames).mockClear();
    // A null in the context falls through to the options (the resolver's rule), as absent does.
    await withUsageContext({ username: null, project: "ctx-project", session: "s-1", tags: { team: "ctx" } }, () => ask());
    await ask.flush();
    expect(resolveCallNames).toHaveBeenCalledWith({ context: expect.objectContaining({ project: "ctx-project" }), wrapper: expect.objectContaining({ project: "opt-project" }) }, { check: false });
    const [row] = await accounting.tail(1);
    expect(row).toMatchObject({ username: "opt-user", project: "ctx-project", callerName: "def-caller", session: "s-1", tags: { team: "ctx", feature: "ask" } });
    await accounting.close();
  });
});
