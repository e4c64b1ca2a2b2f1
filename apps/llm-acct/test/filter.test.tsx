import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { render } from "ink-testing-library";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Accounting } from "@llm-accounting/core";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { App } from "../src/components/App.js";
import { filterLabel, parseFilter } from "../src/data/filter.js";

// `/` narrows every view to the records of a model, user, project, caller or session.
const NOW = new Date("2025-06-15T12:00:00.000Z");
const dir = mkdtempSync(join(tmpdir(), "llm-acct-filter-"));
let accounting: Accounting;
let store: SqliteStore;
beforeAll(async () => {
  store = new SqliteStore({ file: join(dir, "filter.sqlite") });
  accounting = new Accounting({ store, now: () => NOW });
  const at = (hour: number) => new Date(Date.UTC(2025, 5, 15, hour));
  await accounting.trackUsageBatch([
    { model: "gpt-4o", promptTokens: 100, completionTokens: 0, cost: 1, username: "ann", project: "web", callerName: "chat", session: "s1", timestamp: at(8) },
    { model: "o3", promptTokens: 200, completionTokens: 0, cost: 2, username: "ann", project: "api", callerName: "batch", session: "s2", timestamp: at(9) },
    { model: "gpt-4o", promptTokens: 400, completionTokens: 0, cost: 4, username: "bob", project: "web", callerName: "chat", session: "s3", timestamp: at(10) },
    { model: "mistral", promptTokens: 800, completionTokens: 0, cost: 8, username: null, project: null, timestamp: at(11) },
  ]);
  const limit = { scope: "USER", limitType: "cost", maxValue: 100, intervalUnit: "day", intervalValue: 1, model: null, callerName: null, projectName: null } as const;
  await accounting.setUsageLimit({ ...limit, username: "ann" });
  await accounting.setUsageLimit({ ...limit, username: "bob" });
  await accounting.setUsageLimit({ ...limit, scope: "GLOBAL", username: null });
  for (const [userName, model] of [["ann", "gpt-4o"], ["bob", "gpt-4o"], ["ann", "o3"]] as const) {
    await store.insertAuditEntry({ timestamp: NOW, appName: "chat", userName, model, promptText: `${userName} asks ${model}`, responseText: null, remoteCompletionId: null, project: "web", logType: "prompt", session: null });
  }
});
afterAll(async () => {
  await accounting.close();
  rmSync(dir, { recursive: true, force: true });
});

const until = (check: () => void) => vi.waitFor(check, { timeout: 15_000, interval: 20 });
const cells = (frame: string | undefined, start: string) => ((frame ?? "").split("\n").find((l) => l.startsWith(start)) ?? "").trim().split(/\s{2,}/);

describe("parseFilter", () => {
  it("reads field:value pairs, quoted values and (none), and says what is wrong", () => {
    expect(parseFilter("user:ann  model:gpt-4o")).toEqual({ filter: { username: "ann", model: "gpt-4o" } });
    expect(parseFilter('project:"my app" caller:(none) session:s-1')).toEqual({ filter: { project: "my app", callerName: null, session: "s-1" } });
    expect(parseFilter("")).toEqual({ filter: {} });
    expect(parseFilter("tier:batch model:o3")).toEqual({ filter: { serviceTier: "batch", model: "o3" } });
    expect(parseFilter("tier:(none)")).toEqual({ filter: { serviceTier: null } });
    expect(parseFilter("ann")).toMatchObject({ error: expect.stringContaining("field:value") });
    expect(parseFilter("team:x")).toMatchObject({ error: expect.stringContaining('unknown field "team"') });
    expect(parseFilter("model:(none)")).toMatchObject({ error: expect.stringContaining("every record has a model") });
    expect(filterLabel({ username: "ann", project: "my app", callerName: null })).toBe('user:ann project:"my app" caller:(none)');
    expect(filterLabel({ serviceTier: "flex" })).toBe("tier:flex");
  });
});

describe("/ filter in the dashboard", () => {
  it("narrows the overview, breakdown, limits, live and audit views, shows it in the header, and Esc clears it", async () => {
    const app = render(<App accounting={accounting} audit={store} location="test-store" now={() => NOW} refreshMs={60_000} />);
    await until(() => expect(cells(app.lastFrame(), "Today")).toEqual(["Today", "4", "1,500", "$15.0000"]));
    app.stdin.write("/");
    await until(() => expect(app.lastFrame()).toContain("Filter (model: user:"));
    app.stdin.write("user:ann\r");
    await until(() => expect(cells(app.lastFrame(), "Today")).toEqual(["Today", "2", "300", "$3.0000"]));
    expect(app.lastFrame()!.split("\n")[0]).toContain("filter user:ann");

    app.stdin.write("b");
    await until(() => expect(app.lastFrame()).toMatch(/o3\s+1\s+200\s+\$2\.0000/));
    expect(app.lastFrame()).toMatch(/gpt-4o\s+1\s+100\s+\$1\.0000/);
    expect(app.lastFrame()).not.toContain("mistral");

    app.stdin.write("l");
    await until(() => expect(app.lastFrame()).toMatch(/user:ann\s+cost\/1d/));
    expect(app.lastFrame()).toMatch(/^all\s+cost\/1d/m);
    expect(app.lastFrame()).not.toContain("user:bob");

    app.stdin.write("v");
    await until(() => expect(app.lastFrame()).toMatch(/2025-06-15 09:00:00\s+o3\s+ann/));
    expect(app.lastFrame()).not.toMatch(/bob|mistral/);

    app.stdin.write("a");
    await until(() => expect(app.lastFrame()).toContain("ann asks o3"));
    expect(app.lastFrame()).not.toContain("bob asks");

    // Fields combine: / edits the filter on screen.
    app.stdin.write("/model:o3\r");
    await until(() => expect(app.lastFrame()!.split("\n")[0]).toContain("filter model:o3 user:ann"));
    await until(() => expect(app.lastFrame()).not.toContain("ann asks gpt-4o"));
    expect(app.lastFrame()).toContain("ann asks o3");

    app.stdin.write("\u001b");
    await until(() => expect(app.lastFrame()).toContain("bob asks gpt-4o"));
    expect(app.lastFrame()!.split("\n")[0]).not.toContain("filter");
    app.unmount();
  });

  it("refuses a filter it cannot read, saying why, and keeps the prompt open", async () => {
    const app = render(<App accounting={accounting} audit={store} location="test-store" now={() => NOW} refreshMs={60_000} initialView="breakdown" />);
    await until(() => expect(app.lastFrame()).toContain("mistral"));
    app.stdin.write("/team:x\r");
    await until(() => expect(app.lastFrame()).toContain('unknown field "team"'));
    app.stdin.write("\u007f\u007f\u007f\u007f\u007f\u007fproject:(none)\r");
    await until(() => expect(app.lastFrame()!.split("\n")[0]).toContain("filter project:(none)"));
    await until(() => expect(app.lastFrame()).not.toContain("gpt-4o"));
    expect(app.lastFrame()).toMatch(/mistral\s+1\s+800\s+\$8\.0000/);
    app.unmount();
  });
});
