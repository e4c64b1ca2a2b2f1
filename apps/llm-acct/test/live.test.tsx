import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { render } from "ink-testing-library";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Accounting } from "@llm-accounting/core";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { App } from "../src/components/App.js";

// The live view: a rate line, new calls marked, pause and follow, unpriced calls said so, scrolling.
const NOW = new Date("2025-06-15T12:00:00.000Z");
const dir = mkdtempSync(join(tmpdir(), "llm-acct-live-"));
const file = join(dir, "live.sqlite");
let accounting: Accounting;
let writer: Accounting;
let store: SqliteStore;
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);
beforeAll(async () => {
  store = new SqliteStore({ file });
  accounting = new Accounting({ store, now: () => NOW });
  writer = new Accounting({ store: new SqliteStore({ file }), now: () => NOW });
  const records = [];
  // 40 calls a minute apart ($0.10 each), the newest 1 minute ago; 3 of them in the last 5 minutes.
  for (let i = 1; i <= 40; i++) records.push({ model: `m-${i}`, promptTokens: 10, completionTokens: 0, cost: 0.1, timestamp: minutesAgo(i * 2 - 1) });
  await writer.trackUsageBatch(records);
});
afterAll(async () => {
  await accounting.close();
  await writer.close();
  rmSync(dir, { recursive: true, force: true });
});

const until = (check: () => void) => vi.waitFor(check, { timeout: 15_000, interval: 50 });
const lines = (frame: string | undefined) => (frame ?? "").split("\n");

describe("live view", () => {
  it("shows the call and cost rates, marks new calls, pauses and follows, and says unpriced", async () => {
    const app = render(<App accounting={accounting} audit={store} location="test-store" now={() => NOW} refreshMs={200} initialView="live" />);
    // 3 calls in 5 minutes, 30 in the hour (40 calls 2 minutes apart), $3.00 in the hour, $4.00 in the day.
    await until(() => expect(app.lastFrame()).toContain("0.6 calls/min (5 min) · 0.5 (1 h) · $3.0000/h (last hour) · $4.0000/day (24 h)"));
    expect(app.lastFrame()).not.toContain("new since");
    await writer.trackUsage({ model: "fresh", promptTokens: 1, timestamp: minutesAgo(0.5) });
    await until(() => expect(lines(app.lastFrame()).find((l) => l.includes("fresh"))).toMatch(/^\+2025-06-15 11:59:30 fresh\s.*unpriced$/));
    expect(app.lastFrame()).toContain("+ new · 0.8 calls/min (5 min)");
    expect(lines(app.lastFrame()).find((l) => l.includes(" m-1 "))).toMatch(/^ /);

    app.stdin.write(" ");
    await until(() => expect(app.lastFrame()).toContain("PAUSED"));
    await writer.trackUsage({ model: "while-paused", promptTokens: 1, cost: 0.01, timestamp: minutesAgo(0.2) });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(app.lastFrame()).not.toContain("while-paused");
    app.stdin.write("f");
    await until(() => expect(app.lastFrame()).toContain("while-paused"));
    expect(app.lastFrame()).not.toContain("PAUSED");
    app.unmount();
  });

  it("scrolls back through more calls than fit", async () => {
    const app = render(<App accounting={accounting} audit={store} location="test-store" now={() => NOW} refreshMs={60_000} initialView="live" />);
    await until(() => expect(app.lastFrame()).toMatch(/calls 1–\d+ of 42/));
    expect(app.lastFrame()).not.toContain(" m-40 ");
    app.stdin.write("\u001B[F");
    await until(() => expect(app.lastFrame()).toContain(" m-40 "));
    expect(app.lastFrame()).toMatch(/calls \d+–42 of 42/);
    app.unmount();
  });
});
