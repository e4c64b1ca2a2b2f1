import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { render } from "ink-testing-library";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Accounting, type LimitStatus } from "@llm-accounting/core";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { fullAt, Limits } from "../src/components/Limits.js";
import { loadLimitRates, loadLimits } from "../src/data/load.js";

// Per limit: when it fills at the pace of the last hour.
const NOW = new Date("2025-06-15T12:00:00.000Z");
const dir = mkdtempSync(join(tmpdir(), "llm-acct-eta-"));
let accounting: Accounting;
beforeAll(async () => {
  accounting = new Accounting({ store: new SqliteStore({ file: join(dir, "eta.sqlite") }), now: () => NOW });
  // $2 in the last hour by ann, $1 earlier today by bob.
  await accounting.trackUsageBatch([
    { model: "gpt-4o", promptTokens: 10, completionTokens: 0, cost: 2, username: "ann", timestamp: new Date(NOW.getTime() - 30 * 60_000) },
    { model: "gpt-4o", promptTokens: 10, completionTokens: 0, cost: 1, username: "bob", timestamp: new Date(NOW.getTime() - 5 * 3_600_000) },
  ]);
  const limit = { limitType: "cost", intervalUnit: "day", intervalValue: 1, model: null, callerName: null, projectName: null } as const;
  await accounting.setUsageLimit({ ...limit, scope: "GLOBAL", maxValue: 10, username: null });
  await accounting.setUsageLimit({ ...limit, scope: "USER", maxValue: 50, username: "ann" });
  await accounting.setUsageLimit({ ...limit, scope: "USER", maxValue: 5, username: "bob" });
});
afterAll(async () => {
  await accounting.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("when a limit fills at the current pace", () => {
  it("measures each limit's last hour through its own scope", async () => {
    const limits = await loadLimits(accounting);
    const rates = await loadLimitRates(accounting, limits, NOW);
    const by = (who: string | null) => rates.get(limits.find((s) => s.limit.username === who)!.limit.id);
    expect([by(null), by("ann"), by("bob")]).toEqual([2, 2, 0]);
  });

  it("says in how long, after the reset, idle or reached", async () => {
    const limits = await loadLimits(accounting);
    const rates = await loadLimitRates(accounting, limits, NOW);
    const app = render(<Limits limits={limits} now={NOW} width={120} rates={rates} />);
    // The testing terminal is 100 columns wide: widen it so rows of 120 do not wrap.
    Object.defineProperty(app.stdout, "columns", { value: 130, configurable: true });
    app.stdout.emit("resize");
    app.rerender(<Limits limits={limits} now={NOW} width={120} rates={rates} />);
    const { lastFrame } = app;
    // Global: $3 of $10 used, $2/h → $7 left in 3h 30m, before midnight.
    expect(lastFrame()).toMatch(/^all .*in 12h 0m\s+in 3h 30m/m);
    // ann: $2 of $50 at $2/h → 24 h: past the reset at midnight.
    expect(lastFrame()).toMatch(/^user:ann .*after reset/m);
    expect(lastFrame()).toMatch(/^user:bob .*idle/m);
    expect(lastFrame()).toContain("Full at 1h pace");
    const over = { ...limits[0]!, used: 12 } as LimitStatus;
    expect(fullAt(over, 2, NOW)).toBe("reached");
    // Narrow terminals keep the columns they had.
    expect(render(<Limits limits={limits} now={NOW} width={100} rates={rates} />).lastFrame()).not.toContain("Full at");
  });
});
