import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { render } from "ink-testing-library";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Accounting } from "@llm-accounting/core";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { App } from "../src/components/App.js";

// A reprice changes costs and a purge deletes rows without adding one: the open dashboard must
// still notice. Another process does both, through its own connection to the same SQLite file.
const dir = mkdtempSync(join(tmpdir(), "llm-acct-mutations-"));
const file = join(dir, "mutations.sqlite");
let watched: Accounting;
let writer: Accounting;
let store: SqliteStore;
beforeAll(async () => {
  store = new SqliteStore({ file });
  watched = new Accounting({ store });
  writer = new Accounting({ store: new SqliteStore({ file }) });
  const now = Date.now();
  await writer.trackUsageBatch([
    { model: "gpt-4o", promptTokens: 100, completionTokens: 0, cost: 1, timestamp: new Date(now - 3 * 86_400_000) },
    { model: "o3", promptTokens: 100, completionTokens: 0, cost: 2, timestamp: new Date(now - 1000) },
  ]);
});
afterAll(async () => {
  await watched.close();
  await writer.close();
  rmSync(dir, { recursive: true, force: true });
});

const until = (check: () => void) => vi.waitFor(check, { timeout: 15_000, interval: 50 });

describe("the change check", () => {
  it("reloads the view when another process changes a cost or purges rows (no new row)", async () => {
    const app = render(<App accounting={watched} audit={store} location="test-store" initialView="breakdown" refreshMs={200} />);
    await until(() => expect(app.lastFrame()).toMatch(/gpt-4o\s+1\s+100\s+\$1\.0000/));
    // A reprice: the same rows, another cost.
    const [oldest] = (await writer.tail(2)).slice(-1);
    await writer.store.updateCosts!([{ id: oldest!.id, costNanos: 7_000_000_000n, costSource: "price" }]);
    await until(() => expect(app.lastFrame()).toMatch(/gpt-4o\s+1\s+100\s+\$7\.0000/));
    // A purge of the older row: the newest id stays the same.
    await writer.purge({ before: new Date(Date.now() - 86_400_000) });
    await until(() => expect(app.lastFrame()).not.toContain("gpt-4o"));
    expect(app.lastFrame()).toMatch(/o3\s+1\s+100\s+\$2\.0000/);
    app.unmount();
  });
});
