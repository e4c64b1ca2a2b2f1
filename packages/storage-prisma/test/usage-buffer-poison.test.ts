// A batch the store refuses because of a few records must not stop the buffered writer: on real
// PostgreSQL and SQLite, the poison records (built by hand, past validation, so the store itself
// refuses them) are set aside to onError and the rest are stored, in few writes, and close returns.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { Accounting, UsageBuffer, type BufferErrorEvent, type NewUsageRecord, type UsageStore } from "@llm-accounting/core";
import { PostgresqlStore, SqliteStore } from "../src/index.js";
import { createTestDatabase } from "../src/testing/index.js";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-poison-"));
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const drop of drops) await drop();
  rmSync(dir, { recursive: true, force: true });
}, 180_000);

// Marker (promptTokens) -> how the record is spoiled. A null model breaks NOT NULL on both stores;
// PostgreSQL text cannot hold NUL, and a 1 MB model name cannot fit the rollup's index.
type Spoil = (record: NewUsageRecord) => NewUsageRecord;
const nullModel: Spoil = (record) => ({ ...record, model: null as unknown as string });
const POISON: Record<string, Map<number, Spoil>> = {
  sqlite: new Map([[17, nullModel], [250, nullModel], [251, nullModel], [500, nullModel]]),
  postgresql: new Map<number, Spoil>([
    [17, (record) => ({ ...record, model: "nul\u0000model" })],
    [250, (record) => ({ ...record, model: "x".repeat(1 << 20) })],
    [251, nullModel],
    [500, (record) => ({ ...record, username: "nul\u0000user" })],
  ]),
};

const stores: [string, () => Promise<UsageStore>][] = [
  ["sqlite", async () => new SqliteStore({ file: join(dir, `poison-${drops.length}-${Date.now()}.sqlite`) })],
  [
    "postgresql",
    async () => {
      const db = await createTestDatabase();
      drops.push(db.drop);
      return new PostgresqlStore({ connectionString: db.url, connectTimeoutMs: 30_000 });
    },
  ],
];

describe.each(stores)("UsageBuffer with poison records on %s", (name, create) => {
  it("stores all 496 valid records of 500, reports the 4 refused ones, and close returns", async () => {
    const accounting = new Accounting({ store: await create() });
    const poison = POISON[name]!;
    let writes = 0;
    // Spoils records after validation, on their way to the store: what a store-side refusal looks like.
    const writer = {
      defaults: accounting.defaults,
      trackNormalizedBatch: (records: readonly NewUsageRecord[]) => {
        writes++;
        return accounting.trackNormalizedBatch(records.map((record) => poison.get(record.promptTokens)?.(record) ?? record));
      },
    };
    const events: BufferErrorEvent[] = [];
    const buffer = new UsageBuffer(writer, { batchSize: 500, flushIntervalMs: 3_600_000, installExitHooks: false, retryBaseMs: 5, closeTimeoutMs: 120_000, onError: (event) => events.push(event) });
    for (let i = 1; i <= 500; i++) buffer.trackUsage({ model: "gpt-4o", promptTokens: i, completionTokens: 1, cost: 0.001 });
    await buffer.close();

    const stored = (await accounting.tail(-1)).map((record) => record.promptTokens).sort((a, b) => a - b);
    const valid = Array.from({ length: 500 }, (_, i) => i + 1).filter((i) => !poison.has(i));
    expect(stored).toEqual(valid);
    expect(buffer.stats()).toMatchObject({ queued: 0, written: 496, rejected: 4, abandoned: 0, failedWrites: 0 });
    expect(events.map((event) => [event.stage, event.willRetry, event.records.map((record) => record.promptTokens)])).toEqual(
      [...poison.keys()].map((marker) => ["reject", false, [marker]]),
    );
    for (const event of events) expect((event.error as Error).name).toBe("RecordRejectedError");
    // Halving finds each refused record in about 2 log2(500) writes; one by one would take 500.
    expect(writes).toBeLessThan(100);
    await accounting.close();
  });
});

describe("UsageBuffer close while the store cannot be written", () => {
  it("gives up after closeTimeoutMs: close resolves and the records are reported, not lost silently", async () => {
    const file = join(dir, "locked.sqlite");
    const accounting = new Accounting({ store: new SqliteStore({ file, busyTimeoutMs: 20 }) });
    await accounting.open();
    const locker = new Database(file);
    locker.exec("BEGIN EXCLUSIVE");
    const events: BufferErrorEvent[] = [];
    const buffer = new UsageBuffer(accounting, { flushIntervalMs: 3_600_000, installExitHooks: false, retryBaseMs: 5, retryMaxMs: 20, closeTimeoutMs: 300, onError: (event) => events.push(event) });
    for (let i = 1; i <= 10; i++) buffer.trackUsage({ model: "gpt-4o", promptTokens: i });
    await buffer.close();
    expect(buffer.stats()).toMatchObject({ queued: 0, written: 0, abandoned: 10, rejected: 0 });
    const exit = events.find((event) => event.stage === "exit");
    expect(exit?.records.map((record) => record.promptTokens)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(String((exit?.error as Error).message)).toBe("not stored within closeTimeoutMs (300 ms) of the buffer closing");
    expect(events.filter((event) => event.stage === "write").every((event) => event.willRetry)).toBe(true);
    locker.exec("ROLLBACK");
    locker.close();
    await accounting.close();
  });
});
