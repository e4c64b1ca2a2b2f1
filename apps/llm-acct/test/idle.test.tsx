import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { render } from "ink-testing-library";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Accounting } from "@llm-accounting/core";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { App, type View } from "../src/components/App.js";

// The app as the binary runs it: default props (system clock, default refresh), a small unchanged
// store. An idle dashboard must not render in a loop: the header clock may tick once a second, so a
// correct app draws a handful of frames in a few seconds, while a render loop draws hundreds.
const dir = mkdtempSync(join(tmpdir(), "llm-acct-idle-"));
let accounting: Accounting;
let store: SqliteStore;
beforeAll(async () => {
  store = new SqliteStore({ file: join(dir, "idle.sqlite") });
  accounting = new Accounting({ store });
  await accounting.trackUsage({ model: "gpt-4o", promptTokens: 10, completionTokens: 5, cost: 0.5, username: "ann" });
  await accounting.trackUsage({ model: "o3", promptTokens: 20, completionTokens: 5, cost: 0.25, username: "bob" });
});
afterAll(async () => {
  await accounting.close();
  rmSync(dir, { recursive: true, force: true });
});

const IDLE_MS = 4000;

describe("idle dashboard (default props)", () => {
  it.each<[View, RegExp]>([
    ["overview", /Today\s+2/],
    ["breakdown", /gpt-4o\s+1/],
    ["limits", /limit/i],
    ["live", /o3/],
  ])("%s: a bounded number of frames over 4 s of an unchanged store", async (view, shown) => {
    const app = render(<App accounting={accounting} audit={store} location="idle" initialView={view} />);
    await vi.waitFor(() => expect(app.lastFrame()).toMatch(shown), { timeout: 15_000, interval: 50 });
    const before = app.frames.length;
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    const frames = app.frames.length - before;
    app.unmount();
    // About one frame a second (the clock); 20 is generous for a loaded machine and a loop exceeds it many times over.
    expect(frames).toBeLessThan(20);
  });

  it("still shows a row written by another process", async () => {
    const app = render(<App accounting={accounting} audit={store} location="idle" initialView="live" />);
    await vi.waitFor(() => expect(app.lastFrame()).toMatch(/o3/), { timeout: 15_000, interval: 50 });
    await accounting.trackUsage({ model: "fresh-model", promptTokens: 1, cost: 0.01 });
    await vi.waitFor(() => expect(app.lastFrame()).toContain("fresh-model"), { timeout: 15_000, interval: 50 });
    app.unmount();
  });
});

describe("idle polling", () => {
  it("reads the report once while the store does not change, not every second", async () => {
    const breakdown = vi.spyOn(accounting, "getUsageBreakdown");
    const app = render(<App accounting={accounting} audit={store} location="idle" initialView="breakdown" />);
    await vi.waitFor(() => expect(app.lastFrame()).toMatch(/gpt-4o\s+1/), { timeout: 15_000, interval: 50 });
    const before = breakdown.mock.calls.length;
    // Over three refresh periods the cheap change check runs; the breakdown query must not.
    await new Promise((resolve) => setTimeout(resolve, 3500));
    app.unmount();
    // At most one more: the UTC day boundary may pass during the test.
    expect(breakdown.mock.calls.length - before).toBeLessThanOrEqual(1);
    breakdown.mockRestore();
  });
});
