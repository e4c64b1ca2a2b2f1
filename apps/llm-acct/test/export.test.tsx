import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { render } from "ink-testing-library";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Accounting } from "@llm-accounting/core";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { App } from "../src/components/App.js";

// `e` writes what the view shows (all its rows, with filter and period) to a file it names.
const NOW = new Date("2025-06-15T12:00:00.000Z");
const dir = mkdtempSync(join(tmpdir(), "llm-acct-export-"));
const out = mkdtempSync(join(tmpdir(), "llm-acct-export-out-"));
let accounting: Accounting;
let store: SqliteStore;
beforeAll(async () => {
  store = new SqliteStore({ file: join(dir, "export.sqlite") });
  accounting = new Accounting({ store, now: () => NOW });
  const at = (hour: number) => new Date(Date.UTC(2025, 5, 15, hour));
  await accounting.trackUsageBatch([
    { model: "gpt-4o", promptTokens: 100, completionTokens: 5, cost: 0.000000123, username: "ann", project: 'web, "beta"', timestamp: at(1) },
    { model: "o3", promptTokens: 200, completionTokens: 5, cost: 2, username: "ann", timestamp: at(2) },
    { model: "o3", promptTokens: 400, completionTokens: 5, cost: 4, username: "bob", timestamp: at(3) },
  ]);
});
afterAll(async () => {
  await accounting.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
});

const until = (check: () => void) => vi.waitFor(check, { timeout: 15_000, interval: 20 });
const exported = (frame: string | undefined) => {
  // The file name, then the directory (cut at the testing terminal's 100 columns).
  const match = /Exported (\d+) rows? to (\S+) in /.exec(frame ?? "");
  return match ? [match[0], match[1], join(out, match[2]!)] : null;
};

describe("e exports the current view", () => {
  it("writes the filtered breakdown as CSV (exact costs, quoted fields) and the live view as JSON, naming the file", async () => {
    const app = render(<App accounting={accounting} audit={store} location="test-store" now={() => NOW} refreshMs={60_000} initialView="breakdown" exportDir={out} />);
    await until(() => expect(app.lastFrame()).toMatch(/o3\s+2/));
    app.stdin.write("/user:ann\r");
    await until(() => expect(app.lastFrame()).toMatch(/o3\s+1\s+205/));
    app.stdin.write("d");
    app.stdin.write("d");
    await until(() => expect(app.lastFrame()).toMatch(/breakdown by project/));
    await until(() => expect(app.lastFrame()).toContain("(none)"));
    app.stdin.write("e");
    await until(() => expect(app.lastFrame()).toContain("Export this view as c CSV or j JSON"));
    app.stdin.write("c");
    await until(() => expect(app.lastFrame()).toContain("Exported"));
    const [, rows, path] = exported(app.lastFrame())!;
    expect(rows).toBe("2");
    expect(path).toBe(join(out, "llm-acct-breakdown-by-project-7d-filtered-20250615-120000.csv"));
    const csv = readFileSync(path!, "utf8").split("\r\n");
    expect(csv[0]).toBe("key,requests,prompt_tokens,completion_tokens,total_tokens,cached_tokens,reasoning_tokens,cost_usd,execution_time_s");
    expect(csv).toContain(",1,200,5,205,0,0,2.000000000,0");
    expect(csv).toContain('"web, ""beta""",1,100,5,105,0,0,0.000000123,0');

    app.stdin.write("v");
    await until(() => expect(app.lastFrame()).toContain("calls/min"));
    app.stdin.write("ej");
    await until(() => expect(exported(app.lastFrame())?.[2]).toMatch(/llm-acct-live-filtered-20250615-120000\.json$/));
    const json = JSON.parse(readFileSync(exported(app.lastFrame())![2]!, "utf8"));
    expect(json).toMatchObject({ view: "live", filter: "user:ann", exportedAt: NOW.toISOString() });
    expect(json.rows.map((r: { model: string; cost_usd: string }) => [r.model, r.cost_usd])).toEqual([["o3", "2.000000000"], ["gpt-4o", "0.000000123"]]);
    // Any key clears the message; an existing file is never overwritten.
    app.stdin.write("ej");
    await until(() => expect(app.lastFrame()).toContain("Export failed"));
    expect(readdirSync(out)).toHaveLength(2);
    app.unmount();
  });
});
