import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NewUsageRecord } from "@llm-accounting/core";
import { sampleRecord } from "@llm-accounting/testkit";
import { PostgresqlStore } from "../src/index.js";
import { createTestDatabase } from "../src/testing/index.js";

// Batches that touch the same rollup rows in opposite orders make PostgreSQL abort one of them
// as a deadlock victim; the store must retry it so that every acknowledged batch is stored.
describe("postgresql: concurrent batches over shared rollup rows", () => {
  let drop: () => Promise<void>;
  let stores: PostgresqlStore[];
  beforeAll(async () => {
    const db = await createTestDatabase();
    drop = db.drop;
    stores = Array.from({ length: 4 }, () => new PostgresqlStore({ connectionString: db.url, maxConnections: 4 }));
    for (const store of stores) await store.open();
  });
  afterAll(async () => {
    for (const store of stores ?? []) await store.close();
    await drop?.();
  });

  it("stores every row of 12 batches written at once in crossing orders", async () => {
    const keys = Array.from({ length: 8 }, (_, i) => ({ model: `m${i}`, username: `u${i}`, timestamp: new Date(Date.UTC(2025, 0, 1 + i, i)) }));
    const batch = (reverse: boolean): NewUsageRecord[] => {
      const ordered = reverse ? [...keys].reverse() : keys;
      return Array.from({ length: 400 }, (_, i) => sampleRecord({ ...ordered[i % ordered.length]!, costNanos: 1n }));
    };
    await Promise.all(Array.from({ length: 12 }, (_, i) => stores[i % stores.length]!.insertUsageBatch(batch(i % 2 === 1))));
    const totals = await stores[0]!.sumUsage({ start: new Date(Date.UTC(2024, 0, 1)), end: new Date(Date.UTC(2026, 0, 1)) });
    expect(totals.requests).toBe(12 * 400);
    expect(totals.costNanos).toBe(BigInt(12 * 400));
    const byUser = await stores[0]!.sumUsageBy({ start: new Date(Date.UTC(2024, 0, 1)), end: new Date(Date.UTC(2026, 0, 1)) }, "username");
    expect(byUser.map((g) => g.requests)).toEqual(keys.map(() => (12 * 400) / keys.length));
  });
});
