import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { render } from "ink-testing-library";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Accounting, EMPTY_TOTALS, type GroupUsageTotals } from "@llm-accounting/core";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { App } from "../src/components/App.js";
import { sortGroups } from "../src/data/load.js";

// Enter on a breakdown row goes one level down (model → users → sessions → calls), Esc back up;
// the sorted column and its direction are marked; names sort naturally.
const NOW = new Date("2025-06-15T12:00:00.000Z");
const dir = mkdtempSync(join(tmpdir(), "llm-acct-drill-"));
let accounting: Accounting;
let store: SqliteStore;
beforeAll(async () => {
  store = new SqliteStore({ file: join(dir, "drill.sqlite") });
  accounting = new Accounting({ store, now: () => NOW });
  const at = (hour: number) => new Date(Date.UTC(2025, 5, 15, hour));
  await accounting.trackUsageBatch([
    { model: "gpt-4o", promptTokens: 100, completionTokens: 0, cost: 3, username: "ann", session: "s-10", timestamp: at(1) },
    { model: "gpt-4o", promptTokens: 150, completionTokens: 0, cost: 1, username: "ann", session: "s-2", timestamp: at(2) },
    { model: "gpt-4o", promptTokens: 250, completionTokens: 0, cost: 2, username: "ann", session: "s-2", timestamp: at(3) },
    { model: "gpt-4o", promptTokens: 300, completionTokens: 0, cost: 1, username: "bob", session: "s-3", timestamp: at(4) },
    { model: "o3", promptTokens: 999, completionTokens: 0, cost: 5, username: "cid", session: "s-4", timestamp: at(5) },
  ]);
});
afterAll(async () => {
  await accounting.close();
  rmSync(dir, { recursive: true, force: true });
});

const until = (check: () => void) => vi.waitFor(check, { timeout: 15_000, interval: 20 });
const lines = (frame: string | undefined) => (frame ?? "").split("\n");
const names = (frame: string | undefined) => lines(frame).slice(3).filter((l) => /^[> ]\S/.test(l) && !l.includes("o b l v a")).map((l) => l.slice(1).split(/\s{2,}/)[0]);
const group = (key: string | null, costNanos = 1n, requests = 1): GroupUsageTotals => ({ ...EMPTY_TOTALS, key, costNanos, requests });

describe("breakdown sorting", () => {
  it("sorts names naturally (2 before 10, case aside), (none) last, and either way", () => {
    const groups = [group("model-10"), group(null), group("model-2"), group("Model-3")];
    expect(sortGroups(groups, "name").map((g) => g.key)).toEqual(["model-2", "Model-3", "model-10", null]);
    expect(sortGroups(groups, "name", true).map((g) => g.key)).toEqual([null, "model-10", "Model-3", "model-2"]);
    // Equal costs fall back to the natural name order.
    const costs = [group("b-10", 5n), group("b-9", 5n), group("a", 7n)];
    expect(sortGroups(costs, "cost").map((g) => g.key)).toEqual(["a", "b-9", "b-10"]);
    expect(sortGroups(costs, "cost", true).map((g) => g.key)).toEqual(["b-9", "b-10", "a"]);
  });
});

describe("breakdown drill-down", () => {
  it("marks the sort column and direction; s changes the column, r the direction", async () => {
    const app = render(<App accounting={accounting} audit={store} location="test-store" now={() => NOW} refreshMs={60_000} initialView="breakdown" />);
    await until(() => expect(names(app.lastFrame())).toEqual(["gpt-4o", "o3"]));
    expect(lines(app.lastFrame())[2]).toMatch(/Cost ▼/);
    app.stdin.write("s");
    await until(() => expect(lines(app.lastFrame())[2]).toMatch(/Requests ▼/));
    expect(lines(app.lastFrame())[2]).not.toMatch(/Cost ▼/);
    expect(names(app.lastFrame())).toEqual(["gpt-4o", "o3"]);
    app.stdin.write("r");
    await until(() => expect(lines(app.lastFrame())[2]).toMatch(/Requests ▲/));
    await until(() => expect(names(app.lastFrame())).toEqual(["o3", "gpt-4o"]));
    app.unmount();
  });

  it("Enter goes model → users → sessions → calls, the header saying where; Esc goes back up", async () => {
    const app = render(<App accounting={accounting} audit={store} location="test-store" now={() => NOW} refreshMs={60_000} initialView="breakdown" />);
    await until(() => expect(names(app.lastFrame())).toEqual(["gpt-4o", "o3"]));
    app.stdin.write("\r");
    await until(() => expect(lines(app.lastFrame())[0]).toContain("breakdown by username, 7d · in model:gpt-4o"));
    await until(() => expect(names(app.lastFrame())).toEqual(["ann", "bob"]));
    expect(app.lastFrame()).toMatch(/ann\s+3\s+500\s+\$6\.0000/);
    app.stdin.write("\r");
    await until(() => expect(lines(app.lastFrame())[0]).toContain("breakdown by session, 7d · in model:gpt-4o › user:ann"));
    // Same cost: natural name order, s-2 before s-10.
    await until(() => expect(names(app.lastFrame())).toEqual(["s-2", "s-10"]));
    app.stdin.write("j");
    await until(() => expect(lines(app.lastFrame()).find((l) => l.startsWith(">"))).toMatch(/^>s-10/));
    app.stdin.write("k");
    await until(() => expect(lines(app.lastFrame()).find((l) => l.startsWith(">"))).toMatch(/^>s-2/));
    app.stdin.write("\r");
    await until(() => expect(lines(app.lastFrame())[0]).toContain("breakdown by calls, 7d · in model:gpt-4o › user:ann › session:s-2"));
    await until(() => expect(app.lastFrame()).toMatch(/2025-06-15 03:00:00\s+gpt-4o\s+ann/));
    expect(app.lastFrame()).toMatch(/2025-06-15 02:00:00\s+gpt-4o\s+ann/);
    expect(app.lastFrame()).not.toMatch(/01:00:00|04:00:00/);
    app.stdin.write("\u001b");
    await until(() => expect(names(app.lastFrame())).toEqual(["s-2", "s-10"]));
    app.stdin.write("\u001b");
    await until(() => expect(names(app.lastFrame())).toEqual(["ann", "bob"]));
    app.stdin.write("\u001b");
    await until(() => expect(names(app.lastFrame())).toEqual(["gpt-4o", "o3"]));
    expect(lines(app.lastFrame())[0]).not.toContain(" · in ");
    app.unmount();
  });
});
