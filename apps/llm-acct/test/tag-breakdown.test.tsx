import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { render } from "ink-testing-library";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Accounting } from "@llm-accounting/core";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { App } from "../src/components/App.js";
import { dashboardTagKeys } from "../src/data/tag-keys.js";
import { dashboardArgs } from "../src/dashboard-args.js";

// `llm-acct --tag-key team`: d cycles past the columns to the values of the tag, untagged last.
const NOW = new Date("2025-06-15T12:00:00.000Z");
const dir = mkdtempSync(join(tmpdir(), "llm-acct-tag-"));
let accounting: Accounting;
let store: SqliteStore;
beforeAll(async () => {
  store = new SqliteStore({ file: join(dir, "tags.sqlite") });
  accounting = new Accounting({ store, now: () => NOW });
  const at = (hour: number) => new Date(Date.UTC(2025, 5, 15, hour));
  await accounting.trackUsageBatch([
    { model: "gpt-4o", promptTokens: 100, completionTokens: 0, cost: 3, tags: { team: "search" }, serviceTier: "batch", timestamp: at(1) },
    { model: "gpt-4o", promptTokens: 150, completionTokens: 0, cost: 1, tags: { team: "search", env: "prod" }, serviceTier: "batch", timestamp: at(2) },
    { model: "o3", promptTokens: 250, completionTokens: 0, cost: 2, tags: { team: "chat" }, timestamp: at(3) },
    { model: "o3", promptTokens: 300, completionTokens: 0, cost: 5, timestamp: at(4) },
  ]);
});
afterAll(async () => {
  await accounting.close();
  rmSync(dir, { recursive: true, force: true });
});

const until = (check: () => void) => vi.waitFor(check, { timeout: 15_000, interval: 20 });
const lines = (frame: string | undefined) => (frame ?? "").split("\n");
const rows = (frame: string | undefined) => lines(frame).slice(3).filter((l) => /^[> ]\S/.test(l) && !l.includes("o b l v a")).map((l) => l.slice(1).trim().split(/\s{2,}/).slice(0, 2));

describe("breakdown by a tag", () => {
  it("d reaches each --tag-key after the columns; rows are its values with their sums, untagged as (none)", async () => {
    const app = render(<App accounting={accounting} audit={store} location="test-store" now={() => NOW} refreshMs={60_000} initialView="breakdown" tagKeys={["team"]} />);
    await until(() => expect(lines(app.lastFrame())[0]).toMatch(/breakdown by model/));
    for (let i = 0; i < 6; i++) app.stdin.write("d");
    await until(() => expect(lines(app.lastFrame())[0]).toMatch(/breakdown by tag:team/));
    await until(() => expect(rows(app.lastFrame())).toEqual([["(none)", "1"], ["search", "2"], ["chat", "1"]]));
    expect(lines(app.lastFrame())[2]).toMatch(/Tag team/);
    // Enter does nothing here (no drill-down below a tag), and d goes back to the first column.
    app.stdin.write("\r");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(lines(app.lastFrame())[0]).toMatch(/breakdown by tag:team/);
    app.stdin.write("d");
    await until(() => expect(lines(app.lastFrame())[0]).toMatch(/breakdown by model/));
    app.unmount();
  });

  it("without --tag-key, d cycles the columns only; the last is the service tier, whose rows open their models", async () => {
    const app = render(<App accounting={accounting} audit={store} location="test-store" now={() => NOW} refreshMs={60_000} initialView="breakdown" />);
    await until(() => expect(lines(app.lastFrame())[0]).toMatch(/breakdown by model/));
    for (let i = 0; i < 5; i++) app.stdin.write("d");
    await until(() => expect(lines(app.lastFrame())[0]).toMatch(/breakdown by serviceTier/));
    await until(() => expect(rows(app.lastFrame())).toEqual([["(none)", "2"], ["batch", "2"]]));
    // The first row, calls of no known tier: its models are o3's two calls only.
    app.stdin.write("\r");
    await until(() => expect(lines(app.lastFrame())[0]).toMatch(/breakdown by model/));
    await until(() => expect(rows(app.lastFrame())).toEqual([["o3", "2"]]));
    app.stdin.write("\u001B");
    await until(() => expect(lines(app.lastFrame())[0]).toMatch(/breakdown by serviceTier/));
    app.stdin.write("d");
    await until(() => expect(lines(app.lastFrame())[0]).toMatch(/breakdown by model/));
    app.unmount();
  });

  it("--tag-key is a dashboard option, checked before anything opens", () => {
    expect(dashboardArgs(["--tag-key", "team", "--tag-key", "env"])?.tagKey).toEqual(["team", "env"]);
    expect(dashboardTagKeys(["team", "team", "env"])).toEqual(["team", "env"]);
    expect(() => dashboardTagKeys(["bad key"])).toThrow(/^--tag-key key must be 1-64 letters/);
  });
});
