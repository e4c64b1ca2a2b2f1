import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { render } from "ink-testing-library";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Accounting } from "@llm-accounting/core";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { App } from "../src/components/App.js";
import { parseCustomPeriod, periodRange } from "../src/data/period.js";
import { startOfDay } from "../src/data/zone.js";

// --timezone: days start at the zone's midnight and times read in it.
const NOW = new Date("2025-06-15T12:00:00.000Z");
const dir = mkdtempSync(join(tmpdir(), "llm-acct-tz-"));
let accounting: Accounting;
let store: SqliteStore;
beforeAll(async () => {
  store = new SqliteStore({ file: join(dir, "tz.sqlite") });
  accounting = new Accounting({ store, now: () => NOW });
  // 16:00 UTC on the 14th is 01:00 on the 15th in Tokyo (UTC+9): today there, yesterday in UTC.
  await accounting.trackUsageBatch([
    { model: "late", promptTokens: 10, completionTokens: 0, cost: 1, timestamp: new Date("2025-06-14T16:00:00Z") },
    { model: "noon", promptTokens: 10, completionTokens: 0, cost: 2, timestamp: new Date("2025-06-15T11:00:00Z") },
  ]);
});
afterAll(async () => {
  await accounting.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("time zones", () => {
  it("periods start at the zone's midnight, across DST changes too", () => {
    expect(periodRange("today", NOW, "Asia/Tokyo").start.toISOString()).toBe("2025-06-14T15:00:00.000Z");
    expect(periodRange("today", NOW, "America/New_York").start.toISOString()).toBe("2025-06-15T04:00:00.000Z");
    expect(periodRange("month", NOW, "America/New_York").start.toISOString()).toBe("2025-06-01T04:00:00.000Z");
    expect(periodRange("7d", NOW, "UTC").start.toISOString()).toBe("2025-06-09T00:00:00.000Z");
    // Prague's 30 March 2025 has 23 hours.
    expect(startOfDay(new Date("2025-03-30T12:00:00Z"), "Europe/Prague").toISOString()).toBe("2025-03-29T23:00:00.000Z");
    expect(startOfDay(new Date("2025-03-31T12:00:00Z"), "Europe/Prague").toISOString()).toBe("2025-03-30T22:00:00.000Z");
    const custom = parseCustomPeriod("2025-06-01 2025-06-02", "Asia/Tokyo")!;
    expect([custom.start.toISOString(), custom.end.toISOString()]).toEqual(["2025-05-31T15:00:00.000Z", "2025-06-02T14:59:59.999Z"]);
  });

  it("the app counts today in the zone and shows its times there, the zone named", async () => {
    const app = render(<App accounting={accounting} audit={store} location="test-store" now={() => NOW} refreshMs={60_000} timeZone="Asia/Tokyo" />);
    await vi.waitFor(() => expect(app.lastFrame()).toMatch(/Today\s+2\s+20\s+\$3\.0000/), { timeout: 15_000, interval: 20 });
    expect(app.lastFrame()!.split("\n")[0]).toContain("21:00:00 Asia/Tokyo");
    app.stdin.write("v");
    await vi.waitFor(() => expect(app.lastFrame()).toMatch(/2025-06-15 01:00:00 late/), { timeout: 15_000, interval: 20 });
    expect(app.lastFrame()).toMatch(/Time \(Asia\/Tokyo\)/);
    app.unmount();
    const utc = render(<App accounting={accounting} audit={store} location="test-store" now={() => NOW} refreshMs={60_000} timeZone="UTC" />);
    await vi.waitFor(() => expect(utc.lastFrame()).toMatch(/Today\s+1\s+10\s+\$2\.0000/), { timeout: 15_000, interval: 20 });
    expect(utc.lastFrame()!.split("\n")[0]).toContain("12:00:00 UTC");
    utc.unmount();
  });

  it("llm-acct refuses an unknown --timezone as a usage error", () => {
    const bin = fileURLToPath(new URL("../bin/llm-acct.js", import.meta.url));
    const result = spawnSync(process.execPath, [bin, "--db-file", join(dir, "tz.sqlite"), "--timezone", "Mars/Olympus"], { encoding: "utf8" });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('unknown time zone "Mars/Olympus"');
  });
});
