import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { Accounting, type NewUsageRecord, type TimeRange, type UsageStore } from "@llm-accounting/core";
import Database from "better-sqlite3";
import pg from "pg";
import { PostgresqlStore, SqliteStore } from "../src/index.js";
import { postgresqlMigrations, sqliteMigrations } from "../src/generated/migrations.js";
import { createTestDatabase, freshSqlStores } from "../src/testing/index.js";

// usage_tag_hourly must answer exactly what the entries say. The reference here is the core's
// paging fallback (it sums records in memory), run against the same store: after random inserts
// (single and batched, back-dated), deletes, a purge and a reprice, the fast answers must equal it.
const stores = freshSqlStores("llm-acct-tag-rollup-");
const drops: (() => Promise<void>)[] = [];
// Dropping databases can take a while on a busy server.
afterAll(async () => {
  for (const drop of drops) await drop();
  await stores.remove();
}, 120_000);

const T0 = Date.parse("2025-03-01T00:00:00.000Z");
const HOUR = 3_600_000;
const tagValue = fc.constantFrom("a", "b", "c:1", "žluť", "");
const record: fc.Arbitrary<NewUsageRecord> = fc.record({
  // Two days and a bit, so ranges have whole hours and ragged edges.
  timestamp: fc.integer({ min: 0, max: 50 * HOUR }).map((ms) => new Date(T0 + ms)),
  model: fc.constantFrom("m1", "m2"),
  promptTokens: fc.nat(5000),
  completionTokens: fc.nat(5000),
  totalTokens: fc.nat(10_000),
  localPromptTokens: fc.nat(100),
  localCompletionTokens: fc.nat(100),
  localTotalTokens: fc.nat(200),
  cachedTokens: fc.nat(100),
  cacheWriteTokens: fc.constant(0),
  reasoningTokens: fc.nat(100),
  costNanos: fc.bigInt({ min: 0n, max: 10n ** 12n }),
  costSource: fc.constant("caller" as const),
  executionTime: fc.oneof(fc.double({ min: 0, max: 100, noNaN: true }), fc.constantFrom(0.0000005, 2.5e-7)),
  callerName: fc.constantFrom(null, "c"),
  username: fc.constantFrom(null, "u"),
  project: fc.constantFrom(null, "p"),
  session: fc.constant(null),
  provider: fc.constant(null),
  usageEstimated: fc.boolean(),
  tags: fc.option(fc.record({ team: tagValue, env: tagValue }, { requiredKeys: [] }), { nil: undefined }),
});

type Step =
  | { kind: "batch"; rows: NewUsageRecord[] }
  | { kind: "one"; row: NewUsageRecord }
  | { kind: "delete" }
  | { kind: "purge"; beforeHour: number }
  | { kind: "reprice"; nanos: bigint };
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.array(record, { maxLength: 40 }).map((rows) => ({ kind: "batch" as const, rows })),
  record.map((row) => ({ kind: "one" as const, row })),
  fc.constant({ kind: "delete" as const }),
  fc.integer({ min: 0, max: 50 }).map((beforeHour) => ({ kind: "purge" as const, beforeHour })),
  fc.bigInt({ min: 0n, max: 10n ** 9n }).map((nanos) => ({ kind: "reprice" as const, nanos })),
);
// Ranges that start and end anywhere: inside hours, on hour boundaries, around everything.
const range: fc.Arbitrary<TimeRange> = fc
  .tuple(fc.integer({ min: -2, max: 52 }), fc.integer({ min: 1, max: 54 }), fc.boolean())
  .map(([a, len, whole]) => {
    const start = T0 + a * HOUR + (whole ? 0 : 1_234_567);
    return { start: new Date(start), end: new Date(start + len * HOUR + (whole ? -1 : 777)) };
  });

/** The store as it is, without its own tag queries: the facade then pages through the entries. */
const plain = (store: UsageStore): UsageStore =>
  new Proxy(store, {
    get: (target, name) => {
      if (name === "sumUsageByTag" || name === "sumTaggedUsage") return undefined;
      const value: unknown = Reflect.get(target, name, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });

// Execution time: SQL sums integer micro-seconds, the reference sums seconds; each record may round differently by 1 µs.
type Sums = { key: string | null; requests: number; executionTime: number };
function expectSame<T extends Sums>(fast: readonly T[], slow: readonly T[]): void {
  expect(fast.map(({ executionTime: _, ...rest }) => rest)).toEqual(slow.map(({ executionTime: _, ...rest }) => rest));
  fast.forEach((g, i) => expect(Math.abs(g.executionTime - slow[i]!.executionTime)).toBeLessThanOrEqual(g.requests * 1e-6 + 1e-9));
}
const perModel = (models: readonly { model: string; stats: { requests: number; sumExecutionTime: number } }[]) => models.map(({ model, stats }) => ({ key: model, ...stats, executionTime: stats.sumExecutionTime, sumExecutionTime: 0, avgExecutionTime: 0 }));

async function apply(store: UsageStore, steps: readonly Step[]): Promise<void> {
  for (const s of steps) {
    if (s.kind === "batch") await store.insertUsageBatch(s.rows);
    else if (s.kind === "one") await store.insertUsage(s.row);
    else if (s.kind === "delete") {
      const page = await store.usageInRange({ start: new Date(0), end: new Date(T0 + 100 * HOUR) }, 0, 10_000);
      // A delete path the store offers: a purge of one project's rows older than a moment.
      if (page.length > 0) await store.purgeUsage({ before: page[Math.floor(page.length / 2)]!.timestamp, project: "p" });
    } else if (s.kind === "purge") await store.purgeUsage({ before: new Date(T0 + s.beforeHour * HOUR) });
    else {
      const page = await store.usageInRange({ start: new Date(0), end: new Date(T0 + 100 * HOUR) }, 0, 10_000);
      await store.updateCosts!(page.filter((_, i) => i % 2 === 0).map((r) => ({ id: r.id, costNanos: s.nanos + BigInt(r.id), costSource: "price" as const })));
    }
  }
}

describe.each(["sqlite", "postgresql"] as const)("usage_tag_hourly on %s", (backend) => {
  it("answers breakdowns and tag filters exactly as the entries do, after inserts, deletes, purges and reprices", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 7 }), fc.array(range, { minLength: 1, maxLength: 3 }), async (steps, ranges) => {
        const store = await stores.open[backend]();
        const fast = new Accounting({ store });
        const slow = new Accounting({ store: plain(store) });
        try {
          await apply(store, steps);
          for (const r of ranges) {
            for (const key of ["team", "env", "none"]) expectSame(await fast.getUsageByTag(r.start, r.end, key), await slow.getUsageByTag(r.start, r.end, key));
            for (const tags of [{ team: "a" }, { env: "" }, { team: "b", env: "a" }] as Record<string, string>[]) {
              expectSame(perModel(await fast.getModelStats(r.start, r.end, { tags })), perModel(await slow.getModelStats(r.start, r.end, { tags })));
              expectSame(await fast.getUsageBreakdown(r.start, r.end, "project", { tags }), await slow.getUsageBreakdown(r.start, r.end, "project", { tags }));
              expectSame(await fast.getUsageByTag(r.start, r.end, "team", { tags, username: "u" }), await slow.getUsageByTag(r.start, r.end, "team", { tags, username: "u" }));
            }
          }
        } finally {
          await fast.close();
        }
      }),
      { numRuns: backend === "sqlite" ? 25 : 10 },
    );
  }, 600_000);

  it("starts from the tags already stored when the migration runs (again)", async () => {
    const { store, rerun } = await reopenable(backend);
    const accounting = new Accounting({ store });
    await accounting.trackUsageBatch(fc.sample(record, { numRuns: 60, seed: 3 }).map((r) => ({ ...r, cost: Number(r.costNanos) / 1e9 })));
    const all = [new Date(T0), new Date(T0 + 60 * HOUR)] as const;
    const before = await accounting.getUsageByTag(...all, "team");
    expect(before.filter((g) => g.key !== null).length).toBeGreaterThan(1);
    // Re-running the migration (a lost bookkeeping row) recomputes the rollup from the rows: same answers.
    const migration = (backend === "sqlite" ? sqliteMigrations : postgresqlMigrations).find((m) => m.name.endsWith("_usage_tag_hourly"));
    expect(migration).toBeDefined();
    await rerun(migration!.sql);
    await rerun(migration!.sql);
    expect(await accounting.getUsageByTag(...all, "team")).toEqual(before);
    await accounting.close();
  });
});

/** A fresh store and a way to run SQL on its database from another connection. */
async function reopenable(backend: "sqlite" | "postgresql"): Promise<{ store: UsageStore; rerun: (sql: string) => Promise<void> }> {
  if (backend === "sqlite") {
    const store = (await stores.open.sqlite()) as SqliteStore;
    await store.open();
    return {
      store,
      rerun: async (sql) => {
        const db = new Database((store.location as { path: string }).path, { timeout: 5000 });
        db.exec(sql);
        db.close();
      },
    };
  }
  const db = await createTestDatabase();
  drops.push(db.drop);
  return {
    store: new PostgresqlStore({ connectionString: db.url }),
    rerun: async (sql) => {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      await client.query(sql);
      await client.end();
    },
  };
}
