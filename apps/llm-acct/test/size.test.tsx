import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { render } from "ink-testing-library";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Accounting } from "@llm-accounting/core";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { App } from "../src/components/App.js";

// A 160x48 terminal gets a 160x48 layout: more columns, a real chart, more rows; not 80x24 plus blank space.
const NOW = new Date("2025-06-15T12:00:00.000Z");
const dir = mkdtempSync(join(tmpdir(), "llm-acct-size-"));
let accounting: Accounting;
let store: SqliteStore;
beforeAll(async () => {
  store = new SqliteStore({ file: join(dir, "size.sqlite") });
  accounting = new Accounting({ store, now: () => NOW });
  const records = [];
  for (let i = 0; i < 60; i++) {
    records.push({ model: `model-${i % 12}`, promptTokens: 100 * (i + 1), completionTokens: 10, cost: (i % 7) + 1, username: `user-${i % 5}`, project: "web", callerName: "chat", session: `s${i}`, executionTime: 1.5, timestamp: new Date(NOW.getTime() - i * 11 * 3_600_000) });
  }
  await accounting.trackUsageBatch(records);
  await accounting.setUsageLimit({ scope: "GLOBAL", limitType: "cost", maxValue: 50, intervalUnit: "day", intervalValue: 1, model: null, username: null, callerName: null, projectName: null });
});
afterAll(async () => {
  await accounting.close();
  rmSync(dir, { recursive: true, force: true });
});

const until = (check: () => void) => vi.waitFor(check, { timeout: 15_000, interval: 20 });

function bigApp(initialView: "overview" | "breakdown" | "live" | "limits") {
  const app = render(<App accounting={accounting} audit={store} location="test-store" now={() => NOW} refreshMs={60_000} initialView={initialView} />);
  Object.defineProperty(app.stdout, "columns", { value: 160, configurable: true });
  Object.defineProperty(app.stdout, "rows", { value: 48, configurable: true });
  app.stdout.emit("resize");
  return app;
}
const lines = (frame: string | undefined) => (frame ?? "").split("\n");

describe("a 160x48 terminal", () => {
  it("overview: a chart with a value axis and day labels, more models, the wide table, and no blank half-screen", async () => {
    const app = bigApp("overview");
    await until(() => expect(app.lastFrame()).toContain("┤"));
    const frame = lines(app.lastFrame());
    expect(frame.length).toBeGreaterThanOrEqual(45);
    // The longest run of empty lines is the gap between sections, not the rest of the screen.
    const longestBlank = Math.max(...frame.map((_, i) => frame.slice(i).findIndex((l) => l.trim() !== "")).filter((n) => n >= 0));
    expect(longestBlank).toBeLessThanOrEqual(1);
    expect(frame.filter((l) => l.includes("┤")).length).toBeGreaterThanOrEqual(15);
    expect(frame.some((l) => /^ *\$0 └/.test(l))).toBe(true);
    expect(frame.some((l) => /└─{30,}/.test(l))).toBe(true);
    expect(frame.some((l) => /05-17.*06-15/.test(l))).toBe(true);
    expect(frame[2]).toMatch(/Requests\s+Tokens\s+Input\s+Output\s+Cached\s+Cost\s+Per request/);
    expect(frame.filter((l) => /^model-\d+/.test(l)).length).toBe(12);
    app.unmount();
  });

  it("breakdown, live and limits add columns and use the width", async () => {
    const breakdown = bigApp("breakdown");
    await until(() => expect(breakdown.lastFrame()).toMatch(/Requests\s+Tokens\s+Input\s+Output\s+Cost ▼\s+Per request\s+Avg time/));
    expect(breakdown.lastFrame()).toMatch(/1\.50s/);
    expect(Math.max(...lines(breakdown.lastFrame()).map((l) => l.length))).toBeGreaterThan(140);
    breakdown.unmount();
    const live = bigApp("live");
    await until(() => expect(live.lastFrame()).toMatch(/Caller\s+Latency\s+Session\s+Tokens\s+Cost\s+Cost from/));
    expect(live.lastFrame()).toMatch(/chat\s+1\.50s\s+s0\s/);
    // One row per line of the screen, not the 80x24 count.
    await until(() => expect(lines(live.lastFrame()).filter((l) => /^[ +]2025-/.test(l)).length).toBeGreaterThan(30));
    live.unmount();
    const limits = bigApp("limits");
    await until(() => expect(limits.lastFrame()).toMatch(/^all\s+cost\/1d\s+█*░{10,}/m));
    limits.unmount();
  });
});
