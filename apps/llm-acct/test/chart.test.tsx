import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { render } from "ink-testing-library";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Accounting } from "@llm-accounting/core";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { App } from "../src/components/App.js";
import { Overview } from "../src/components/Overview.js";
import { loadOverview } from "../src/data/load.js";

// The overview chart: per hour today, per day over longer periods; cost, tokens or requests; an
// axis with values; and the burn rate.
const NOW = new Date("2025-06-15T12:00:00.000Z");
const dir = mkdtempSync(join(tmpdir(), "llm-acct-chart-"));
let accounting: Accounting;
let store: SqliteStore;
beforeAll(async () => {
  store = new SqliteStore({ file: join(dir, "chart.sqlite") });
  accounting = new Accounting({ store, now: () => NOW });
  const at = (day: number, hour: number, minute = 0) => new Date(Date.UTC(2025, 5, day, hour, minute));
  await accounting.trackUsageBatch([
    { model: "a", promptTokens: 1000, completionTokens: 0, cost: 1, timestamp: at(15, 1) },
    { model: "a", promptTokens: 3000, completionTokens: 0, cost: 2, timestamp: at(15, 5) },
    { model: "a", promptTokens: 3000, completionTokens: 0, cost: 2, timestamp: at(15, 5, 30) },
    { model: "a", promptTokens: 500, completionTokens: 0, cost: 0.5, timestamp: at(15, 11, 30) },
    { model: "a", promptTokens: 100, completionTokens: 0, cost: 24, timestamp: at(14, 13) },
  ]);
});
afterAll(async () => {
  await accounting.close();
  rmSync(dir, { recursive: true, force: true });
});

const lines = (frame: string | undefined) => (frame ?? "").split("\n");

describe("overview chart", () => {
  it("per hour of today: 24 bars with hour labels, a value axis and the peak", async () => {
    const data = await loadOverview(accounting, NOW, 30, {}, "today");
    expect(data.chart.buckets).toHaveLength(24);
    expect(data.chart.buckets[5]).toMatchObject({ label: "05h", requests: 2, tokens: 6000, costNanos: 4_000_000_000n });
    const { lastFrame } = render(<Overview data={data} width={100} height={40} />);
    expect(lastFrame()).toContain("Cost per hour, today (UTC) (peak 05h: $4.0000)");
    expect(lines(lastFrame()).find((l) => l.includes("┤"))).toMatch(/^ *\$4\.00 ┤/);
    expect(lastFrame()).toMatch(/\$0 └─+/);
    expect(lines(lastFrame()).find((l) => /^\s+00h/.test(l))).toMatch(/00h\s+12h\s+23h/);
    const tokens = render(<Overview data={data} width={100} height={40} measure="tokens" />);
    expect(tokens.lastFrame()).toContain("Tokens per hour, today (UTC) (peak 05h: 6,000)");
    expect(lines(tokens.lastFrame()).find((l) => l.includes("┤"))).toMatch(/^ *6000 ┤/);
    const requests = render(<Overview data={data} width={100} height={19} measure="requests" />);
    // Too short for the bar chart: one line of sparks, still per hour.
    expect(requests.lastFrame()).toContain("Requests per hour, today (UTC) (peak 05h: 2)");
    expect(lines(requests.lastFrame()).find((l) => l.startsWith("00h"))).toMatch(/^00h .{24} 23h$/);
  });

  it("the burn rate: the last hour's cost and the last 24 hours' average per hour", async () => {
    const { lastFrame } = render(<Overview data={await loadOverview(accounting, NOW)} width={100} />);
    // Last hour: the 11:30 call ($0.50). Last 24 h: $0.50 + $4 + $1 + $24 (yesterday 13:00) = $29.50 → $1.2292/h.
    expect(lastFrame()).toContain("Burn rate $0.5000/h (last hour) · $1.2292/h (24 h average)");
  });

  it("p changes the chart's period and m its measure, in the app", async () => {
    const app = render(<App accounting={accounting} audit={store} location="test-store" now={() => NOW} refreshMs={60_000} />);
    await vi.waitFor(() => expect(app.lastFrame()).toContain("Cost per day, last 30 days"), { timeout: 15_000, interval: 20 });
    app.stdin.write("p");
    await vi.waitFor(() => expect(app.lastFrame()).toContain("Cost per day, this month (peak 06-14: $24.0000)"), { timeout: 15_000, interval: 20 });
    app.stdin.write("p");
    await vi.waitFor(() => expect(app.lastFrame()).toContain("Cost per hour, today (UTC) (peak 05h: $4.0000)"), { timeout: 15_000, interval: 20 });
    app.stdin.write("p");
    await vi.waitFor(() => expect(app.lastFrame()).toContain("Cost per day, last 7 days (peak 06-14: $24.0000)"), { timeout: 15_000, interval: 20 });
    app.stdin.write("m");
    await vi.waitFor(() => expect(app.lastFrame()).toContain("Tokens per day, last 7 days (peak 06-15: 7,500)"), { timeout: 15_000, interval: 20 });
    app.unmount();
  });
});
