import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { render } from "ink-testing-library";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Accounting, type UsageDimension } from "@llm-accounting/core";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { App, type View } from "../src/components/App.js";
import { Audit } from "../src/components/Audit.js";
import { Breakdown } from "../src/components/Breakdown.js";
import { Limits } from "../src/components/Limits.js";
import { Live } from "../src/components/Live.js";
import { Overview } from "../src/components/Overview.js";
import { loadAudit, loadBreakdown, loadLimits, loadLive, loadOverview } from "../src/data/load.js";
import { summaryText } from "../src/summary.js";

// Every view of the dashboard, and its summary for a pipe, on a real SQLite file whose every name
// field holds terminal escape sequences: no control character may reach the frame raw.
const NOW = new Date("2025-06-15T12:00:00.000Z");
const dir = mkdtempSync(join(tmpdir(), "llm-acct-term-"));
const file = join(dir, "hostile.sqlite");
let accounting: Accounting;
let store: SqliteStore;

/** Colour, window title, CR/BS overwrite, DEL, 8-bit CSI (clear screen), bidi override and isolate, newline. */
const HOSTILE = "\x1b[31m\x1b]0;pwned\x07\r\b\x7f\x9b2J\u202e\u2066\n\u2028end";
const name = (field: string) => `${field}-${HOSTILE}`;
/** Every character a terminal acts on, except the line feeds that separate a frame's lines. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const ESCAPED = "\\x1b[31m\\x1b]0;pwned\\x07\\x0d\\x08\\x7f\\x9b2J\\u202e\\u2066\\x0a\\u2028end";

beforeAll(async () => {
  store = new SqliteStore({ file });
  accounting = new Accounting({ store, now: () => NOW });
  const names = { model: name("model"), username: name("user"), callerName: name("caller"), project: name("project"), session: name("session") };
  await accounting.trackUsageBatch([
    { ...names, promptTokens: 1000, completionTokens: 200, cost: 1.25, timestamp: new Date("2025-06-15T10:00:00Z") },
    { ...names, promptTokens: 10, completionTokens: 2, cost: 0.5, timestamp: new Date("2025-06-01T10:00:00Z") },
    // For the built app, which reads the real clock.
    { ...names, promptTokens: 10, completionTokens: 2, cost: 0.5, timestamp: new Date() },
  ]);
  const limit = { limitType: "requests", maxValue: 2, intervalUnit: "day", intervalValue: 1, model: null, username: null, callerName: null, projectName: null } as const;
  await accounting.setUsageLimit({ ...limit, scope: "MODEL", model: name("model") });
  await accounting.setUsageLimit({ ...limit, scope: "USER", username: name("user") });
  await accounting.setUsageLimit({ ...limit, scope: "CALLER", callerName: name("caller") });
  await accounting.setUsageLimit({ ...limit, scope: "PROJECT", projectName: name("project") });
  const audit = { timestamp: NOW, appName: name("app"), userName: name("user"), model: name("model"), remoteCompletionId: name("id"), project: name("project"), session: name("session") };
  await store.insertAuditEntry({ ...audit, logType: name("type"), promptText: name("prompt"), responseText: null });
  await store.insertAuditEntry({ ...audit, logType: "response", promptText: null, responseText: name("response") });
});
afterAll(async () => {
  await accounting.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Renders, checks the frame holds the escaped names and no raw control character, and unmounts. */
function expectSafe(frame: string | undefined, label: string): void {
  expect(frame, label).toBeTruthy();
  expect(RAW_CONTROL.test(frame!), `${label}: ${JSON.stringify(frame)}`).toBe(false);
}

describe("names holding terminal escape sequences (dashboard)", () => {
  it("Overview, Breakdown (every dimension), Limits and Live show them escaped", async () => {
    const overview = render(<Overview data={await loadOverview(accounting, NOW)} width={200} />);
    expectSafe(overview.lastFrame(), "overview");
    expect(overview.lastFrame()).toContain("model-\\x1b[31m");
    for (const dimension of ["model", "username", "callerName", "project", "session"] as UsageDimension[]) {
      const breakdown = render(<Breakdown rows={await loadBreakdown(accounting, NOW, "30d", dimension, "cost")} dimension={dimension} sort="cost" width={200} height={20} />);
      expectSafe(breakdown.lastFrame(), `breakdown by ${dimension}`);
    }
    const limits = render(<Limits limits={await loadLimits(accounting)} now={NOW} width={200} height={20} />);
    expectSafe(limits.lastFrame(), "limits");
    expect(limits.lastFrame()).toContain("user-\\x1b[31m");
    const live = render(<Live records={(await loadLive(accounting, 10)).records} width={200} />);
    expectSafe(live.lastFrame(), "live");
    // One line per record plus the header: a newline in a name does not break a row (at the
    // testing terminal's 100 columns: at 200 the rows are wider than its lines).
    const narrow = render(<Live records={(await loadLive(accounting, 10)).records} width={100} />);
    expect(narrow.lastFrame()!.split("\n")).toHaveLength(4);
  });

  it("Audit shows them escaped in the list and in an entry's full view (which keeps only its text's line breaks)", async () => {
    const entries = await loadAudit(store, undefined, 50);
    for (const selected of [0, 1]) {
      const list = render(<Audit entries={entries} selected={selected} open={false} logType={name("filter")} width={200} height={10} />);
      expectSafe(list.lastFrame(), "audit list");
      const full = render(<Audit entries={entries} selected={selected} open logType={undefined} width={200} height={10} />);
      expectSafe(full.lastFrame(), "audit entry");
    }
    // Tall enough for the whole entry: the detail is a viewport that shows only `height` rows.
    const full = render(<Audit entries={entries} selected={1} open logType={undefined} width={200} height={30} />);
    expect(full.lastFrame()).toContain(`Prompt:\nprompt-${ESCAPED.replace("\\x0a", "\n")}`);
  });

  it("the whole App, in each of its five views, with a hostile store location and error", async () => {
    for (const view of ["overview", "breakdown", "limits", "live", "audit"] as View[]) {
      const app = render(<App accounting={accounting} audit={store} location={name("location")} now={() => NOW} refreshMs={60_000} initialView={view} />);
      await vi.waitFor(() => expect(app.lastFrame()).not.toContain("Loading…"), { timeout: 15_000, interval: 50 });
      expectSafe(app.lastFrame(), `app ${view}`);
      expect(app.lastFrame()).toContain("location-\\x1b[31m");
      app.unmount();
    }
    // A store error's message is shown too; it can quote a name.
    const failing = new Proxy(accounting, { get: (target, key) => (key === "tail" ? () => Promise.reject(new Error(name("failure"))) : Reflect.get(target, key, target)) });
    const app = render(<App accounting={failing} audit={store} location="store" now={() => NOW} refreshMs={60_000} initialView="live" />);
    await vi.waitFor(() => expect(app.lastFrame()).toContain("Error: failure-"), { timeout: 15_000, interval: 50 });
    expectSafe(app.lastFrame(), "app error");
    app.unmount();
  });

  it("the summary for a pipe, rendered and through the built llm-acct", async () => {
    expectSafe(await summaryText(accounting, name("location"), NOW), "summary");
    // The built app (build it first: `npx tsc -b`), its stdout a pipe: it prints the summary.
    const bin = fileURLToPath(new URL("../bin/llm-acct.js", import.meta.url));
    const run = spawnSync(process.execPath, [bin, "--db-file", file], { cwd: dir, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "", POSTGRESQL_CONNECTION_STRING: "" } });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("Top models");
    expectSafe(run.stdout + run.stderr, "llm-acct summary");
  });
});
