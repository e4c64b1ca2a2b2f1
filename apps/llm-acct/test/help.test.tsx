import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { render } from "ink-testing-library";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Accounting } from "@llm-accounting/core";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { App } from "../src/components/App.js";
import { viewKeys } from "../src/components/keys.js";

// `?` lists the keys of the view on screen, and only keys that do something there.
const NOW = new Date("2025-06-15T12:00:00.000Z");
const dir = mkdtempSync(join(tmpdir(), "llm-acct-help-"));
let accounting: Accounting;
let store: SqliteStore;
beforeAll(async () => {
  store = new SqliteStore({ file: join(dir, "help.sqlite") });
  accounting = new Accounting({ store, now: () => NOW });
  await accounting.trackUsageBatch([
    { model: "gpt-4o", promptTokens: 10, completionTokens: 2, cost: 1, username: "ann", timestamp: new Date("2025-06-15T10:00:00Z") },
    { model: "o3", promptTokens: 10, completionTokens: 2, cost: 2, username: "bob", timestamp: new Date("2025-06-14T10:00:00Z") },
  ]);
});
afterAll(async () => {
  await accounting.close();
  rmSync(dir, { recursive: true, force: true });
});

const until = (check: () => void) => vi.waitFor(check, { timeout: 15_000, interval: 20 });
const helpKeys = (frame: string | undefined) => {
  const lines = (frame ?? "").split("\n");
  const from = lines.findIndex((l) => l.startsWith("Keys on"));
  const to = lines.findIndex((l) => l.includes("Esc or ? closes"));
  return lines.slice(from + 1, to).map((l) => l.split(/\s{2,}/)[0]);
};
const CLOSED = { auditOpen: false, drilled: false, filtered: false, paused: false };

describe("? help", () => {
  it("shows every key of the current view, not the keys of others, and Esc closes it", async () => {
    const app = render(<App accounting={accounting} audit={store} location="help" now={() => NOW} refreshMs={60_000} initialView="breakdown" />);
    await until(() => expect(app.lastFrame()).toMatch(/o3\s+1/));
    app.stdin.write("?");
    await until(() => expect(app.lastFrame()).toContain("Keys on the breakdown view"));
    const breakdown = helpKeys(app.lastFrame());
    expect(breakdown).toEqual(expect.arrayContaining(["d", "s", "p", "c", "↑↓ j k", "PgUp/PgDn", "Home/End", "o b l v a", "?", "q Ctrl-C"]));
    expect(breakdown).not.toContain("t");
    expect(app.lastFrame()).not.toMatch(/o3\s+1/);
    app.stdin.write("\u001b");
    await until(() => expect(app.lastFrame()).toMatch(/o3\s+1/));
    expect(app.lastFrame()).not.toContain("Keys on");

    app.stdin.write("a");
    await until(() => expect(app.lastFrame()).toContain("No audit entries"));
    app.stdin.write("?");
    await until(() => expect(app.lastFrame()).toContain("Keys on the audit view"));
    expect(helpKeys(app.lastFrame())).toContain("t");
    expect(helpKeys(app.lastFrame())).not.toContain("d");
    // ? closes it too.
    app.stdin.write("?");
    await until(() => expect(app.lastFrame()).toContain("No audit entries"));
    app.unmount();
  });

  it("keys not offered on a view do nothing there, and the footer offers only the view's keys", async () => {
    const app = render(<App accounting={accounting} audit={store} location="help" now={() => NOW} refreshMs={60_000} />);
    await until(() => expect(app.lastFrame()).toMatch(/Today\s+1/));
    const footer = () => (app.lastFrame() ?? "").split("\n").at(-1) ?? "";
    expect(footer()).toContain("? help");
    expect(footer()).not.toMatch(/d dim|s sort|t type/);
    // d and p on the overview used to change the breakdown's dimension and period unseen.
    app.stdin.write("dp");
    app.stdin.write("b");
    await until(() => expect(app.lastFrame()).toMatch(/breakdown by model, 7d/));
    expect(footer()).toMatch(/d dim.*s sort/);
    expect(footer()).not.toContain("t type");
    app.unmount();
  });

  it("a view's list of keys holds each key once", () => {
    for (const view of ["overview", "breakdown", "limits", "live", "audit"] as const) {
      for (const context of [CLOSED, { ...CLOSED, auditOpen: true }]) {
        const keys = viewKeys(view, context).map((k) => k.keys);
        expect(new Set(keys).size).toBe(keys.length);
      }
    }
  });
});
