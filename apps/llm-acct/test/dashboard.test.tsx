import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { render } from "ink-testing-library";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Accounting, type LimitStatus } from "@llm-accounting/core";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { App, DEFAULT_REFRESH_MS } from "../src/components/App.js";
import { Audit } from "../src/components/Audit.js";
import { Breakdown } from "../src/components/Breakdown.js";
import { Limits } from "../src/components/Limits.js";
import { Live } from "../src/components/Live.js";
import { Overview } from "../src/components/Overview.js";
import { loadAudit, loadBreakdown, loadLimits, loadLive, loadOverview } from "../src/data/load.js";
import { summaryText } from "../src/summary.js";

// Every view rendered from data loaded out of a real, seeded SQLite file, with a pinned clock.
const NOW = new Date("2025-06-15T12:00:00.000Z");
const dir = mkdtempSync(join(tmpdir(), "llm-acct-dash-"));
let accounting: Accounting;
let store: SqliteStore;
afterAll(async () => {
  await accounting.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeAll(async () => {
  store = new SqliteStore({ file: join(dir, "dash.sqlite") });
  accounting = new Accounting({ store, now: () => NOW });
  const at = (daysAgo: number, hour = 10) => new Date(Date.UTC(2025, 5, 15 - daysAgo, hour));
  await accounting.trackUsageBatch([
    { model: "gpt-4o", promptTokens: 1000, completionTokens: 200, cost: 1.25, username: "ann", project: "web", session: "s1", timestamp: at(0) },
    { model: "gpt-4o", promptTokens: 500, completionTokens: 100, cost: 0.75, username: "bob", project: "web", timestamp: at(0, 11) },
    { model: "claude-sonnet", promptTokens: 300, completionTokens: 300, cost: 2, username: "ann", project: "api", timestamp: at(3) },
    { model: "o3", promptTokens: 100, completionTokens: 900, cost: 6, username: "cid", project: null, timestamp: at(20) },
    { model: "old-model", promptTokens: 1, completionTokens: 1, cost: 100, timestamp: at(45) },
  ]);
  await accounting.setUsageLimit({ scope: "GLOBAL", limitType: "cost", maxValue: 2.5, intervalUnit: "day", intervalValue: 1, model: null, username: null, callerName: null, projectName: null });
  await accounting.setUsageLimit({ scope: "USER", limitType: "requests", maxValue: 10, intervalUnit: "week_rolling", intervalValue: 1, model: null, username: "ann", callerName: null, projectName: null });
  await accounting.setUsageLimit({ scope: "MODEL", limitType: "requests", maxValue: -1, intervalUnit: "day", intervalValue: 1, model: "o3", username: null, callerName: null, projectName: null });
  await store.insertAuditEntry({ timestamp: new Date("2025-06-15T11:00:00Z"), appName: "chat", userName: "ann", model: "gpt-4o", promptText: "What is\nthe answer?", responseText: null, remoteCompletionId: null, project: "web", logType: "prompt", session: "s1" });
  await store.insertAuditEntry({ timestamp: new Date("2025-06-15T11:00:01Z"), appName: "chat", userName: "ann", model: "gpt-4o", promptText: null, responseText: "42", remoteCompletionId: "c-1", project: "web", logType: "response", session: "s1" });
});

const lines = (frame: string | undefined) => (frame ?? "").split("\n");
// A breakdown row starts with ">" when selected.
const row = (frame: string | undefined, start: string) => lines(frame).find((l) => l.replace(/^>/, "").trimStart().startsWith(start)) ?? "";
const cells = (line: string) => line.trim().split(/\s{2,}|\s(?=\$)/).filter(Boolean);

describe("views", () => {
  it("Overview: today, 7 and 30 days, the daily chart and the top models", async () => {
    const { lastFrame } = render(<Overview data={await loadOverview(accounting, NOW)} width={80} />);
    expect(cells(row(lastFrame(), "Today"))).toEqual(["Today", "2", "1,800", "$2.0000"]);
    expect(cells(row(lastFrame(), "7 days"))).toEqual(["7 days", "3", "2,400", "$4.0000"]);
    expect(cells(row(lastFrame(), "30 days"))).toEqual(["30 days", "4", "3,400", "$10.0000"]);
    expect(lastFrame()).toContain("peak 05-26: $6.0000");
    expect(row(lastFrame(), "05-17")).toMatch(/^05-17 .{30} 06-15$/);
    const models = lines(lastFrame()).slice(lines(lastFrame()).findIndex((l) => l.startsWith("Top models")) + 1).map((l) => l.split(/\s+/)[0]);
    expect(models.slice(0, 3)).toEqual(["o3", "gpt-4o", "claude-sonnet"]);
  });

  it("Breakdown: per user over 30 days with cost shares, re-sortable", async () => {
    const byCost = await loadBreakdown(accounting, NOW, "30d", "username", "cost");
    const { lastFrame } = render(<Breakdown rows={byCost} dimension="username" sort="cost" width={90} height={20} />);
    expect(row(lastFrame(), "cid")).toMatch(/cid\s+1\s+1,000\s+\$6\.0000\s+█+░*\s+60\.0%/);
    expect(row(lastFrame(), "ann")).toMatch(/ann\s+2\s+1,800\s+\$3\.2500\s+█+░*\s+32\.5%/);
    expect(row(lastFrame(), "bob")).toMatch(/7\.5%$/);
    expect(lines(lastFrame())[1]).toMatch(/^>cid/);
    const byName = await loadBreakdown(accounting, NOW, "30d", "username", "name");
    expect(byName.map((g) => g.key)).toEqual(["ann", "bob", "cid"]);
    const projects = await loadBreakdown(accounting, NOW, "today", "project", "requests");
    expect(projects.map((g) => [g.key, g.requests])).toEqual([["web", 2]]);
  });

  it("Limits: a bar per limit, used and left, reset time, and a marker readable without colour", async () => {
    const { lastFrame } = render(<Limits limits={await loadLimits(accounting)} now={NOW} width={100} />);
    expect(row(lastFrame(), "all")).toMatch(/^all\s+cost\/1d\s+█{10}░{2} NEAR\s+\$2\.00 \/ \$2\.50\s+\$0\.50\s+in 12h 0m/);
    expect(row(lastFrame(), "user:ann")).toMatch(/^user:ann\s+req\/1w roll\s+█{2}░{10}\s+2 \/ 10\s+8\s+in 3d 22h/);
    expect(row(lastFrame(), "model:o3")).toMatch(/^model:o3\s+req\/1d\s+unlimited\s+0 \/ ∞\s+∞/);
  });

  it("Limits: at 80 columns type and window stay whole, explained by a legend; rows fit", async () => {
    const { lastFrame } = render(<Limits limits={await loadLimits(accounting)} now={NOW} width={80} />);
    expect(row(lastFrame(), "user:ann")).toMatch(/^user:ann\s+req\/1w roll\s+█{1}░{5}\s+2 \/ 10\s+in 3d 22h/);
    expect(lastFrame()).toContain("req requests");
    expect(lastFrame()).toContain("roll = rolling");
    expect(lines(lastFrame()).every((l) => l.length <= 80)).toBe(true);
  });

  it("Limits: deny-all and unlimited said in words, NEAR/OVER in text, fullest first", () => {
    const limit = (id: number, maxValue: number, username: string) => ({ id, scope: "USER", limitType: "requests", maxValue, intervalUnit: "minute_rolling", intervalValue: 5, model: null, username, callerName: null, projectName: null });
    const status = (id: number, maxValue: number, used: number, username: string) =>
      ({ limit: limit(id, maxValue, username), used, remaining: maxValue === -1 ? Infinity : maxValue - used, resetAt: null }) as unknown as LimitStatus;
    const limits = [status(1, 100, 10, "ok"), status(2, -1, 50, "free"), status(3, 10, 12, "over"), status(4, 0, 0, "denied"), status(5, 10, 9, "near")];
    const { lastFrame } = render(<Limits limits={limits} now={NOW} width={80} />);
    const body = lines(lastFrame()).slice(1, 6);
    expect(body.map((l) => l.split(/\s+/)[0])).toEqual(["user:over", "user:denied", "user:near", "user:ok", "user:free"]);
    expect(row(lastFrame(), "user:over")).toMatch(/req\/5m roll\s+█{6} OVER\s+12 \/ 10/);
    expect(row(lastFrame(), "user:near")).toMatch(/█{5}░ NEAR\s+9 \/ 10/);
    expect(row(lastFrame(), "user:denied")).toMatch(/deny all\s+0 \/ 0/);
    expect(row(lastFrame(), "user:free")).toMatch(/unlimited\s+50 \/ ∞/);
    expect(row(lastFrame(), "user:ok")).not.toMatch(/NEAR|OVER|█{2}/);
  });

  it("Limits: when they do not all fit, the fullest are shown first and the list scrolls", async () => {
    const { lastFrame, stdin } = render(<Limits limits={await loadLimits(accounting)} now={NOW} width={100} height={4} />);
    expect(lines(lastFrame()).slice(0, 3).map((l) => l.split(" ")[0])).toEqual(["Applies", "all", "limits"]);
    expect(lastFrame()).toContain("limits 1–1 of 3 (fullest first)");
    stdin.write("\u001B[B");
    await vi.waitFor(() => expect(lines(lastFrame())[1]).toMatch(/^user:ann/), { timeout: 15_000, interval: 20 });
    stdin.write("\u001B[F");
    await vi.waitFor(() => expect(lines(lastFrame())[1]).toMatch(/^model:o3/), { timeout: 15_000, interval: 20 });
    expect(lastFrame()).toContain("limits 3–3 of 3");
  });

  it("Live: rows fit an 80-column terminal without wrapping", async () => {
    const { lastFrame } = render(<Live records={(await loadLive(accounting, 5)).records} width={80} />);
    expect(lines(lastFrame()).length).toBe(6);
    expect(lines(lastFrame()).every((l) => l.length <= 80)).toBe(true);
  });

  it("Live: the newest records first", async () => {
    const { lastFrame } = render(<Live records={(await loadLive(accounting, 3)).records} width={90} />);
    expect(lines(lastFrame()).slice(1).map((l) => l.trimStart().slice(0, 19))).toEqual(["2025-06-15 11:00:00", "2025-06-15 10:00:00", "2025-06-12 10:00:00"]);
    // 90 columns have room for the latency (none recorded: -).
    expect(row(lastFrame(), "2025-06-15 11:00:00")).toMatch(/gpt-4o\s+bob\s+web\s+-\s+600\s+\$0\.7500$/);
  });

  it("Audit: a list with a selection, and one entry in full", async () => {
    const entries = await loadAudit(store, undefined, 50);
    const list = render(<Audit entries={entries} selected={1} open={false} logType={undefined} width={90} height={10} />);
    expect(lines(list.lastFrame())[1]).toMatch(/^ 2025-06-15 11:00:01 response\s+chat\/ann\s+42/);
    expect(lines(list.lastFrame())[2]).toMatch(/^>2025-06-15 11:00:00 prompt\s+chat\/ann\s+What is the answer\?/);
    const full = render(<Audit entries={entries} selected={1} open logType={undefined} width={90} height={10} />);
    expect(full.lastFrame()).toContain("Prompt:\nWhat is\nthe answer?");
    expect(full.lastFrame()).toContain("session: s1");
    expect((await loadAudit(store, "response", 50)).map((e) => e.responseText)).toEqual(["42"]);
  });

  it("summary: one screen for a pipe", async () => {
    const text = await summaryText(accounting, "test-store", NOW);
    expect(text).toContain("30 days           4 requests         3,400 tokens       $10.0000");
    expect(text).toContain("Limits: 3, 1 at 80% or more of their window");
  });
});

describe("App", () => {
  it("reloads often enough that rows from other processes show within 2 s, query included", () => {
    expect(DEFAULT_REFRESH_MS).toBeLessThanOrEqual(1000);
  });


  const settle = (ms = 400) => new Promise((resolve) => setTimeout(resolve, ms));

  it("acts on a key pressed the moment a view is drawn, before React re-subscribes the key handler", async () => {
    const app = render(<App accounting={accounting} audit={store} location="test-store" now={() => NOW} refreshMs={60_000} initialView="audit" />);
    // Press j from inside the write of the first frame that shows the list: the earliest a user could.
    const write = app.stdout.write;
    let pressed = false;
    app.stdout.write = (frame: string) => {
      write(frame);
      if (!pressed && />2025-06-15 11:00:01 response/.test(frame)) {
        pressed = true;
        app.stdin.write("j");
      }
    };
    await vi.waitFor(() => {
      expect(pressed).toBe(true);
      expect(app.lastFrame()).toMatch(/>2025-06-15 11:00:00 prompt/);
    }, { timeout: 15_000, interval: 50 });
    app.unmount();
  });

  it("re-lays out on resize, and says so below 60x16 instead of wrapping into garbage", async () => {
    const app = render(<App accounting={accounting} audit={store} location="test-store" now={() => NOW} refreshMs={60_000} />);
    const resize = (columns: number, rows: number) => {
      // ink-testing-library's stdout has a fixed width and no height: a terminal's own, per instance.
      Object.defineProperty(app.stdout, "columns", { value: columns, configurable: true });
      Object.defineProperty(app.stdout, "rows", { value: rows, configurable: true });
      app.stdout.emit("resize");
    };
    await vi.waitFor(() => expect(app.lastFrame()).toContain("? help"), { timeout: 15_000, interval: 50 });
    resize(80, 24);
    await vi.waitFor(() => expect(app.lastFrame()).toContain("o b l v a: views"), { timeout: 15_000, interval: 50 });
    resize(50, 24);
    await vi.waitFor(() => expect(app.lastFrame()).toBe("terminal too small (needs 60x16, have 50x24)"), { timeout: 15_000, interval: 50 });
    resize(80, 12);
    await vi.waitFor(() => expect(app.lastFrame()).toBe("terminal too small (needs 60x16, have 80x12)"), { timeout: 15_000, interval: 50 });
    resize(120, 40);
    await vi.waitFor(() => {
      expect(app.lastFrame()).toContain("o overview  b breakdown");
      // 120 columns: input, output, cached and per-request columns too.
      expect(cells(row(app.lastFrame(), "Today"))).toEqual(["Today", "2", "1,800", "1,500", "300", "0", "$2.0000", "$1.0000"]);
    }, { timeout: 15_000, interval: 50 });
    app.unmount();
  });

  it("takes keys that arrive together (typed fast, or pasted) one by one", async () => {
    const app = render(<App accounting={accounting} audit={store} location="test-store" now={() => NOW} refreshMs={60_000} />);
    await vi.waitFor(() => expect(app.lastFrame()).toMatch(/Today\s+2/), { timeout: 15_000, interval: 50 });
    app.stdin.write("bdd");
    await vi.waitFor(() => expect(app.lastFrame()).toMatch(/breakdown by project, 7d/), { timeout: 15_000, interval: 50 });
    app.stdin.write("c2025-06-12 2025-06-15\r");
    await vi.waitFor(() => expect(app.lastFrame()).toMatch(/breakdown by project, 2025-06-12\.\.2025-06-15/), { timeout: 15_000, interval: 50 });
    app.unmount();
  });

  it("switches views with keys, cycles dimension and period, opens an audit entry, and quits", async () => {
    const app = render(<App accounting={accounting} audit={store} location="test-store" now={() => NOW} refreshMs={60_000} />);
    // Polled, not slept: a loaded machine (CI) may take longer to re-render.
    await vi.waitFor(() => {
      expect(app.lastFrame()).toMatch(/llm-acct · overview/);
      expect(cells(row(app.lastFrame(), "Today"))).toEqual(["Today", "2", "1,800", "$2.0000"]);
    }, { timeout: 15_000, interval: 50 });
    app.stdin.write("b");
    // Polled, not slept: a loaded machine (CI) may take longer to re-render.
    await vi.waitFor(() => {
      expect(app.lastFrame()).toMatch(/breakdown by model, 7d/);
      expect(row(app.lastFrame(), "claude-sonnet")).toContain("$2.0000");
    }, { timeout: 15_000, interval: 50 });
    app.stdin.write("d");
    // Polled, not slept: a loaded machine (CI) may take longer to re-render.
    await vi.waitFor(() => {
      expect(app.lastFrame()).toMatch(/breakdown by username, 7d/);
    }, { timeout: 15_000, interval: 50 });
    app.stdin.write("p");
    // Polled, not slept: a loaded machine (CI) may take longer to re-render.
    await vi.waitFor(() => {
      expect(app.lastFrame()).toMatch(/breakdown by username, 30d/);
      expect(row(app.lastFrame(), "cid")).toContain("$6.0000");
    }, { timeout: 15_000, interval: 50 });
    app.stdin.write("c");
    await vi.waitFor(() => {
      expect(app.lastFrame()).toContain("Days (UTC) from to");
    }, { timeout: 15_000, interval: 50 });
    for (const ch of "2025-06-12 2025-06-1") app.stdin.write(ch);
    app.stdin.write("\r");
    // Polled, not slept: a loaded machine (CI) may take longer to re-render.
    await vi.waitFor(() => {
      expect(app.lastFrame()).toContain("2025-06-12 2025-06-1 (use YYYY-MM-DD YYYY-MM-DD)");
    }, { timeout: 15_000, interval: 50 });
    app.stdin.write("5");
    app.stdin.write("\r");
    // Polled, not slept: a loaded machine (CI) may take longer to re-render.
    await vi.waitFor(() => {
      expect(app.lastFrame()).toMatch(/breakdown by username, 2025-06-12\.\.2025-06-15/);
      expect(row(app.lastFrame(), "ann")).toContain("$3.2500");
      expect(row(app.lastFrame(), "cid")).toBe("");
    }, { timeout: 15_000, interval: 50 });
    app.stdin.write("l");
    // Polled, not slept: a loaded machine (CI) may take longer to re-render.
    await vi.waitFor(() => {
      expect(app.lastFrame()).toMatch(/all\s+cost\/1d/);
    }, { timeout: 15_000, interval: 50 });
    // j and Enter act on the loaded audit list, so each waits for the screen the key before it made.
    app.stdin.write("a");
    await vi.waitFor(() => {
      expect(app.lastFrame()).toMatch(/>2025-06-15 11:00:01 response/);
    }, { timeout: 15_000, interval: 50 });
    app.stdin.write("j");
    await vi.waitFor(() => {
      expect(app.lastFrame()).toMatch(/>2025-06-15 11:00:00 prompt/);
    }, { timeout: 15_000, interval: 50 });
    app.stdin.write("\r");
    // Polled, not slept: a loaded machine (CI) may take longer to re-render.
    await vi.waitFor(() => {
      expect(app.lastFrame()).toContain("Prompt:\nWhat is\nthe answer?");
    }, { timeout: 15_000, interval: 50 });
    app.stdin.write("\u001b");
    // Polled, not slept: a loaded machine (CI) may take longer to re-render.
    await vi.waitFor(() => {
      expect(app.lastFrame()).toMatch(/>2025-06-15 11:00:00 prompt/);
    }, { timeout: 15_000, interval: 50 });
    app.stdin.write("q");
    await settle();
    app.unmount();
  });
});
