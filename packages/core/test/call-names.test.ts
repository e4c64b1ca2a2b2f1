import { describe, expect, it } from "vitest";
import { MemoryStore } from "@llm-accounting/testkit/memory";
import { Accounting, resolveCallNames, UsageBuffer, ValidationError, withUsageContext, type CallNameLayers, type NewUsageLimit } from "../src/index.js";

const input = { username: "in-user", project: "in-project", callerName: "in-caller", session: "in-session", tags: { layer: "input", input: "1" } };
const context = { username: "ctx-user", project: "ctx-project", callerName: "ctx-caller", session: "ctx-session", tags: { layer: "context", context: "1" } };
const wrapper = { username: "wrap-user", project: "wrap-project", callerName: "wrap-caller", session: "wrap-session", tags: { layer: "wrapper", wrapper: "1" } };
const defaults = { userName: "def-user", projectName: "def-project", appName: "def-caller", tags: { layer: "defaults", defaults: "1" } };

const names = (layers: CallNameLayers) => {
  const { username, project, callerName, session } = resolveCallNames(layers);
  return { username, project, callerName, session };
};

describe("resolveCallNames: input > context > wrapper > defaults", () => {
  it("takes each name from the highest layer that names it", () => {
    expect(names({ input, context, wrapper, defaults })).toEqual({ username: "in-user", project: "in-project", callerName: "in-caller", session: "in-session" });
    expect(names({ context, wrapper, defaults })).toEqual({ username: "ctx-user", project: "ctx-project", callerName: "ctx-caller", session: "ctx-session" });
    expect(names({ wrapper, defaults })).toEqual({ username: "wrap-user", project: "wrap-project", callerName: "wrap-caller", session: "wrap-session" });
    // The facade has no default session.
    expect(names({ defaults })).toEqual({ username: "def-user", project: "def-project", callerName: "def-caller", session: null });
    expect(names({})).toEqual({ username: null, project: null, callerName: null, session: null });
  });

  it("lets null and absent fall through alike, so a null never erases a lower layer's name", () => {
    const nulls = { username: null, project: null, callerName: null, session: null };
    expect(names({ input: nulls, context: { project: null, username: undefined }, wrapper: { username: "wrap-user" }, defaults })).toEqual({
      username: "wrap-user",
      project: "def-project",
      callerName: "def-caller",
      session: null,
    });
  });

  it("merges tags key by key over every layer, the higher layer winning a key", () => {
    expect(resolveCallNames({ input, context, wrapper, defaults }).tags).toEqual({ layer: "input", input: "1", context: "1", wrapper: "1", defaults: "1" });
    expect(resolveCallNames({ wrapper, defaults }).tags).toEqual({ layer: "wrapper", wrapper: "1", defaults: "1" });
    expect("tags" in resolveCallNames({ input: { tags: null }, defaults: { tags: {} } })).toBe(false);
  });

  it("checks the winning names under the field the call spells them with, unless told not to", () => {
    const bad = { project: "a\u0000b" };
    expect(() => resolveCallNames({ context: bad })).toThrow(new ValidationError("project", "must not contain a NUL character (\\u0000, at index 1)"));
    expect(() => resolveCallNames({ input: bad }, { projectField: "projectName" })).toThrow(/^projectName /);
    expect(() => resolveCallNames({ defaults: { appName: 5 as unknown as string } })).toThrow(new ValidationError("callerName", "must be a string (got 5)"));
    expect(() => resolveCallNames({ wrapper: { tags: { "bad key": "x" } } })).toThrow(ValidationError);
    // A wrapper resolves unchecked: the facade checks the names when the record reaches it.
    expect(resolveCallNames({ context: bad, wrapper: { tags: { "bad key": "x" } } }, { check: false })).toEqual({ username: null, project: "a\u0000b", callerName: null, session: null, tags: { "bad key": "x" } });
  });
});

describe("the facade and the buffer resolve through it", () => {
  const projectLimit = (projectName: string): NewUsageLimit => ({ scope: "PROJECT", limitType: "requests", maxValue: 0, intervalUnit: "day", intervalValue: 1, model: null, username: null, callerName: null, projectName });

  it("trackUsage, UsageBuffer, checkQuota and reserve agree on the names of one call", async () => {
    const accounting = new Accounting({ store: new MemoryStore(), onUnpriced: () => undefined, userName: "def-user", projectName: "def-project", appName: "def-caller", tags: { env: "prod" } });
    await accounting.setUsageLimit(projectLimit("ctx-project"));
    const buffer = new UsageBuffer(accounting, { installExitHooks: false });
    await withUsageContext({ project: "ctx-project", session: "ctx-session", tags: { team: "ctx" } }, async () => {
      await accounting.trackUsage({ model: "m", username: "in-user" });
      await buffer.trackUsage({ model: "m", username: "in-user" });
      // Denied by the context's project, and recorded as a rejection of the context's session.
      expect((await accounting.checkQuota({ model: "m", username: "in-user" })).allowed).toBe(false);
      await expect(accounting.reserve({ model: "m" })).rejects.toThrow(/project/);
    });
    await buffer.close();
    const rows = await accounting.tail(-1);
    expect(rows.map(({ username, project, callerName, session, tags }) => ({ username, project, callerName, session, tags }))).toEqual(
      Array(2).fill({ username: "in-user", project: "ctx-project", callerName: "def-caller", session: "ctx-session", tags: { env: "prod", team: "ctx" } }),
    );
  });

  it("quota inputs spell the project `project`; `projectName` is still accepted, and both must agree", async () => {
    const accounting = new Accounting({ store: new MemoryStore(), onUnpriced: () => undefined });
    await accounting.setUsageLimit(projectLimit("p1"));
    expect((await accounting.checkQuota({ model: "m", project: "p1" })).allowed).toBe(false);
    expect((await accounting.checkQuota({ model: "m", projectName: "p1" })).allowed).toBe(false);
    expect((await accounting.checkQuota({ model: "m", project: "p1", projectName: "p1" })).allowed).toBe(false);
    expect((await accounting.checkQuota({ model: "m", project: "p2" })).allowed).toBe(true);
    await expect(accounting.checkQuota({ model: "m", project: "p2", projectName: "p1" })).rejects.toThrow(new ValidationError("projectName", 'must equal project when both are given (got "p1" and "p2")'));
    await expect(accounting.reserve({ model: "m", project: "p1" })).rejects.toThrow(/project/);
    const reservation = await accounting.reserve({ model: "m", project: "p2" });
    expect((await reservation.commit({})).project).toBe("p2");
  });
});
