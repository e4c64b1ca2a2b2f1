import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { render } from "ink-testing-library";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Accounting, type AuditEntry, type GroupUsageTotals } from "@llm-accounting/core";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { App, AUDIT_PAGE } from "../src/components/App.js";
import { Audit } from "../src/components/Audit.js";
import { Breakdown } from "../src/components/Breakdown.js";

// Lists longer than the screen and an audit entry taller than it: every line reachable by keys.
const KEYS = { down: "\u001B[B", up: "\u001B[A", pageDown: "\u001B[6~", pageUp: "\u001B[5~", home: "\u001B[H", end: "\u001B[F" };
const until = (check: () => void) => vi.waitFor(check, { timeout: 15_000, interval: 20 });
const lines = (frame: string | undefined) => (frame ?? "").split("\n");

const group = (i: number): GroupUsageTotals => ({ key: `model-${String(i).padStart(2, "0")}`, requests: 100 - i, promptTokens: 0, completionTokens: 0, totalTokens: 0, localPromptTokens: 0, localCompletionTokens: 0, localTotalTokens: 0, cachedTokens: 0, reasoningTokens: 0, costNanos: BigInt(100 - i), executionTime: 0 });

describe("Breakdown scrolls", () => {
  it("moves a selection through 50 rows in a 10-row view with ↑↓, PgUp/PgDn, Home/End, the rows following it", async () => {
    const rows = Array.from({ length: 50 }, (_, i) => group(i + 1));
    const app = render(<Breakdown rows={rows} dimension="model" sort="cost" width={90} height={10} />);
    const first = () => lines(app.lastFrame())[1]!.replace(/^[> ]/, "").split(/\s+/)[0];
    const selected = () => (lines(app.lastFrame()).find((l) => l.startsWith(">")) ?? "").slice(1).split(/\s+/)[0];
    expect(first()).toBe("model-01");
    expect(selected()).toBe("model-01");
    expect(app.lastFrame()).toContain("rows 1–8 of 50");
    expect(lines(app.lastFrame())).toHaveLength(10);
    app.stdin.write(KEYS.down);
    await until(() => expect(selected()).toBe("model-02"));
    expect(first()).toBe("model-01");
    app.stdin.write(KEYS.pageDown);
    await until(() => expect(selected()).toBe("model-09"));
    expect(first()).toBe("model-02");
    app.stdin.write(KEYS.end);
    await until(() => expect(app.lastFrame()).toContain("rows 43–50 of 50"));
    expect(lines(app.lastFrame()).at(-2)).toMatch(/^>model-50/);
    app.stdin.write(KEYS.down);
    app.stdin.write(KEYS.pageUp);
    await until(() => expect(selected()).toBe("model-43"));
    expect(first()).toBe("model-43");
    app.stdin.write(KEYS.up);
    await until(() => expect(first()).toBe("model-42"));
    app.stdin.write(KEYS.home);
    await until(() => expect(first()).toBe("model-01"));
    expect(selected()).toBe("model-01");
    app.unmount();
  });
});

describe("Audit detail scrolls", () => {
  const entry: AuditEntry = { id: 7, timestamp: new Date("2025-06-15T11:00:00Z"), appName: "chat", userName: "ann", model: "gpt-4o", promptText: Array.from({ length: 60 }, (_, i) => `line ${i + 1}`).join("\n"), responseText: "the end", remoteCompletionId: null, project: null, logType: "prompt", session: null };

  it("shows an entry taller than the view in a viewport, every line reachable", async () => {
    const app = render(<Audit entries={[entry]} selected={0} open logType={undefined} width={80} height={12} />);
    await until(() => expect(app.lastFrame()).toMatch(/lines 1–11 of 65/));
    // The viewport never draws past its height (the bug: lines overwrote each other).
    expect(lines(app.lastFrame())).toHaveLength(12);
    expect(app.lastFrame()).toContain("line 1\n");
    expect(app.lastFrame()).not.toContain("the end");
    app.stdin.write(KEYS.end);
    await until(() => expect(app.lastFrame()).toContain("Response:\nthe end"));
    expect(app.lastFrame()).toContain("lines 55–65 of 65");
    expect(app.lastFrame()).not.toContain("line 1\n");
    app.stdin.write(KEYS.pageUp);
    await until(() => expect(app.lastFrame()).toContain("lines 45–55 of 65"));
    app.stdin.write(KEYS.up);
    await until(() => expect(lines(app.lastFrame())[0]).toBe("line 41"));
    app.stdin.write(KEYS.pageDown);
    app.stdin.write(KEYS.down);
    await until(() => expect(app.lastFrame()).toContain("lines 55–65 of 65"));
    app.stdin.write(KEYS.home);
    await until(() => expect(lines(app.lastFrame())[0]).toMatch(/^prompt #7/));
    app.unmount();
  });
});

describe("Audit list pages back", () => {
  const dir = mkdtempSync(join(tmpdir(), "llm-acct-scroll-"));
  let accounting: Accounting;
  let store: SqliteStore;
  const TOTAL = AUDIT_PAGE + 50;
  beforeAll(async () => {
    store = new SqliteStore({ file: join(dir, "audit.sqlite") });
    accounting = new Accounting({ store });
    for (let i = 0; i < TOTAL; i++) {
      await store.insertAuditEntry({ timestamp: new Date(Date.UTC(2025, 0, 1, 0, 0, i)), appName: "chat", userName: "ann", model: "gpt-4o", promptText: `entry ${i}`, responseText: null, remoteCompletionId: null, project: null, logType: "prompt", session: null });
    }
  });
  afterAll(async () => {
    await accounting.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("loads older entries when the selection moves past the newest page", async () => {
    const app = render(<App accounting={accounting} audit={store} location="test" initialView="audit" />);
    const selected = () => lines(app.lastFrame()).find((l) => l.startsWith(">")) ?? "";
    await until(() => expect(selected()).toMatch(/entry 249$/));
    app.stdin.write(KEYS.end);
    await until(() => expect(selected()).toMatch(/entry 50$/));
    // Past the last loaded entry: the next page is read and the selection lands on it.
    app.stdin.write(KEYS.down);
    await until(() => expect(selected()).toMatch(/entry 49$/));
    app.stdin.write(KEYS.end);
    await until(() => expect(selected()).toMatch(/entry 0$/));
    app.stdin.write(KEYS.down);
    app.stdin.write(KEYS.pageUp);
    await until(() => expect(selected()).not.toMatch(/entry 0$/));
    app.unmount();
  });
});
