import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { NewUsageRecord, UsageStore } from "@llm-accounting/core";
import { PostgresqlStore, SqliteStore } from "../src/index.js";
import { createTestDatabase } from "../src/testing/index.js";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-bounded-"));
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const drop of drops) await drop();
  rmSync(dir, { recursive: true, force: true });
});

const stores: [string, () => Promise<UsageStore>][] = [
  ["sqlite", async () => new SqliteStore({ file: join(dir, `s-${Math.random().toString(36).slice(2)}.sqlite`), writerThread: false })],
  [
    "postgresql",
    async () => {
      const db = await createTestDatabase();
      drops.push(db.drop);
      return new PostgresqlStore({ connectionString: db.url });
    },
  ],
];

const day = (n: number) => new Date(Date.UTC(2026, 10, n, 12));

function record(timestamp: Date, i: number): NewUsageRecord {
  return {
    timestamp, model: `m${i % 3}`, promptTokens: 10, completionTokens: 5, totalTokens: 15, localPromptTokens: 0, localCompletionTokens: 0, localTotalTokens: 0,
    cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, costNanos: 1n, costSource: "price", provider: null, executionTime: 0, callerName: null, username: `u${i % 2}`, project: null, session: null, usageEstimated: false,
  };
}

describe.each(stores)("bounded long writes on %s", (_name, make) => {
  it("pages through a period whose ids are not in time order", async () => {
    const store = await make();
    // Newer calls first, then older ones imported later: ids and timestamps disagree.
    await store.insertUsageBatch([record(day(20), 0), record(day(5), 1), record(day(6), 2), record(day(21), 3), record(day(5), 4)]);
    const range = { start: day(5), end: day(6) };
    const first = await store.usageInRange(range, 0, 2);
    const rest = await store.usageInRange(range, first[1]!.id, 2);
    expect([...first, ...rest].map((r) => r.timestamp)).toEqual([day(5), day(6), day(5)]);
    expect(await store.usageInRange({ start: day(1), end: day(2) }, 0, 10)).toEqual([]);
    await store.close();
  });

  it("updates costs over several transactions, reporting each, with the totals in step", async () => {
    const store = await make();
    await store.insertUsageBatch(Array.from({ length: 12_000 }, (_, i) => record(day(1 + (i % 28)), i)));
    const rows = await store.usageInRange({ start: day(1), end: day(28) }, 0, 20_000);
    const reports: [number, number][] = [];
    await store.updateCosts!(rows.map((r) => ({ id: r.id, costNanos: BigInt(r.id), costSource: "price" as const })), (done, total) => reports.push([done, total]));
    expect(reports.length).toBeGreaterThan(1);
    expect(reports.at(-1)).toEqual([12_000, 12_000]);
    expect(reports.every(([done], i) => i === 0 || done > reports[i - 1]![0])).toBe(true);
    const expected = rows.reduce((sum, r) => sum + BigInt(r.id), 0n);
    expect((await store.sumUsage({ start: day(1), end: day(28) })).costNanos).toBe(expected);
    const byUser = await store.sumUsageBy!({ start: day(1), end: day(28) }, "username");
    expect(byUser.reduce((sum, g) => sum + g.costNanos, 0n)).toBe(expected);
    await store.close();
  });

  it("purges in several transactions, reporting each, and keeps rows stored after it", async () => {
    const store = await make();
    await store.insertUsageBatch(Array.from({ length: 12_000 }, (_, i) => record(day(1 + (i % 28)), i)));
    const reports: [number, number][] = [];
    expect(await store.purgeUsage({ onProgress: (done, total) => reports.push([done, total]) })).toBe(12_000);
    expect(reports[0]).toEqual([0, 12_000]);
    expect(reports.length).toBeGreaterThan(2);
    expect(reports.at(-1)).toEqual([12_000, 12_000]);
    const kept = await store.insertUsage(record(day(3), 1));
    expect((await store.tail(10)).map((r) => r.id)).toEqual([kept]);
    expect((await store.sumUsage({ start: day(1), end: day(28) })).requests).toBe(1);
    await store.close();
  });
});
