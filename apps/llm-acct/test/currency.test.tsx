import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { render } from "ink-testing-library";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Accounting } from "@llm-accounting/core";
import { parseRatesCsv } from "@llm-accounting/cli";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { App } from "../src/components/App.js";
import { exportText } from "../src/data/export.js";
import { loadBreakdown, loadCalls, loadOverview } from "../src/data/load.js";
import type { DisplayMoney } from "../src/data/money.js";
import { summaryText } from "../src/summary.js";

// --currency: every amount shown in the currency, each day's spending at that day's rate.
const NOW = new Date("2025-06-15T12:00:00.000Z");
const dir = mkdtempSync(join(tmpdir(), "llm-acct-currency-"));
let accounting: Accounting;
let store: SqliteStore;
// 0.5 EUR per USD up to the 14th, 2 from the 15th: $1 on the 14th is €0.50, $2 on the 15th €4.
const money: DisplayMoney = { currency: "EUR", rates: parseRatesCsv("date,currency,rate\n2025-05-01,EUR,0.5\n2025-06-15,EUR,2\n", "rates.csv") };
beforeAll(async () => {
  store = new SqliteStore({ file: join(dir, "money.sqlite") });
  accounting = new Accounting({ store, now: () => NOW });
  await accounting.trackUsageBatch([
    { model: "old", promptTokens: 10, cost: 1, timestamp: new Date("2025-06-14T20:00:00Z"), project: "a" },
    { model: "new", promptTokens: 10, cost: 2, timestamp: new Date("2025-06-15T11:00:00Z"), project: "a" },
  ]);
});
afterAll(async () => {
  await accounting.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the dashboard in another currency", () => {
  it("converts windows, days, top models and the burn rate at each day's rate", async () => {
    const overview = await loadOverview(accounting, NOW, 30, {}, "30d", "UTC", money);
    expect(overview.windows.map((w) => [w.label, w.costNanos])).toEqual([
      ["Today", 4_000_000_000n],
      ["7 days", 4_500_000_000n],
      ["30 days", 4_500_000_000n],
    ]);
    expect(overview.daily.slice(-2).map((d) => d.costNanos)).toEqual([500_000_000n, 4_000_000_000n]);
    // Ranked by what is shown: $2 at 2 before $1 at 0.5.
    expect(overview.topModels.map((m) => [m.key, m.costNanos])).toEqual([["new", 4_000_000_000n], ["old", 500_000_000n]]);
    // The last 24 hours span midnight: $1 at 0.5 and $2 at 2.
    expect(overview.rates.costLastDay).toBe(4_500_000_000n);
    const groups = await loadBreakdown(accounting, NOW, "7d", "project", "cost", {}, false, "UTC", money);
    expect(groups.map((g) => [g.key, g.costNanos])).toEqual([["a", 4_500_000_000n]]);
    // The calls at the bottom of a drill-down, each at its own day's rate.
    expect((await loadCalls(accounting, NOW, "7d", {}, 1000, "UTC", money)).map((r) => [r.model, r.costNanos])).toEqual([["new", 4_000_000_000n], ["old", 500_000_000n]]);
  });

  it("shows € in the overview, the breakdown and the live view, and says so in the header", async () => {
    const app = render(<App accounting={accounting} audit={store} location="test-store" now={() => NOW} refreshMs={60_000} timeZone="UTC" money={money} />);
    await vi.waitFor(() => expect(app.lastFrame()).toMatch(/7 days\s+2\s+20\s+€4\.5000/), { timeout: 15_000, interval: 20 });
    expect(app.lastFrame()!.split("\n")[0]).toContain("amounts in EUR");
    expect(app.lastFrame()).toMatch(/Burn rate €/);
    app.stdin.write("b");
    await vi.waitFor(() => expect(app.lastFrame()).toMatch(/new\s+1\s+10\s+€4\.0000/), { timeout: 15_000, interval: 20 });
    app.stdin.write("v");
    // A live row: its time, then the model, then its cost at the rate of its day.
    await vi.waitFor(() => expect(app.lastFrame()).toMatch(/2025-06-14 20:00:00 old .*€0\.5000/), { timeout: 15_000, interval: 20 });
    expect(app.lastFrame()).toMatch(/2025-06-15 11:00:00 new .*€4\.0000/);
    expect(app.lastFrame()).toContain("Cost EUR");
    expect(app.lastFrame()).not.toMatch(/\$\d/);
    app.unmount();
  });

  it("writes the summary and exports in the currency", async () => {
    const text = await summaryText(accounting, "test-store", NOW, money);
    expect(text).toMatch(/30 days\s+2 requests\s+20 tokens\s+€4\.5000/);
    const overview = await loadOverview(accounting, NOW, 30, {}, "30d", "UTC", money);
    const csv = exportText({ view: "overview", data: overview }, { title: "overview", filter: "", at: NOW, currency: "EUR" }, "csv");
    expect(csv.split("\r\n")[0]).toContain("cost_eur");
    expect(csv).toContain("window,7 days,2,20,20,0,4.500000000");
  });
});
