import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  INTERVAL_UNITS,
  LIMIT_TYPES,
  rowsReachingAt,
  usageFilterMatches,
  windowStart,
  withReleases,
  type LimitType,
  type NewUsageRecord,
  type QuotaUsage,
  type UsageFilter,
  type UsageQuery,
  type UsageRecord,
  type UsageStore,
} from "@llm-accounting/core";
import Database from "better-sqlite3";
import { SqliteStore } from "../src/index.js";
import { freshSqlStores } from "../src/testing/index.js";

// The bucketed quota sums must equal a plain SUM over the raw rows, whatever was written how
// (single inserts, batches, imports, back-dated and future rows, reprice, purge) and whatever
// the window: every unit and length, and arbitrary instants to the millisecond.
const stores = freshSqlStores("llm-acct-buckets-");
afterAll(() => stores.remove(), 180_000);

const NOW = Date.parse("2025-06-15T12:34:56.789Z");
const DAY = 86_400_000;
const MODELS = ["a", "b"];
const USERS = ["u1", "u2", null];
const CALLERS = ["c1", null];
const PROJECTS = ["p1", "p2", null];

// Instants where bucket edges are: rows and windows land on them (and a millisecond either side)
// often, where a bucketing mistake shows, not only at random milliseconds.
const EDGES = [60_000, 3_600_000, DAY].flatMap((span) => [0, 1, 2, 30].map((k) => Math.floor(NOW / span - k) * span - NOW));
const edgeArb = fc.tuple(fc.constantFrom(0, ...EDGES), fc.constantFrom(-1000, -1, 0, 0, 0, 1)).map(([edge, nudge]) => edge + nudge);
const offsetArb = (min: number, max: number) => fc.oneof(fc.integer({ min, max }), edgeArb.filter((x) => x >= min && x <= max));

const rowArb = fc.record({
  model: fc.constantFrom(...MODELS),
  username: fc.constantFrom(...USERS),
  callerName: fc.constantFrom(...CALLERS),
  project: fc.constantFrom(...PROJECTS),
  promptTokens: fc.nat(1000),
  completionTokens: fc.nat(1000),
  costNanos: fc.bigInt({ min: 0n, max: 10_000_000n }),
  tenant: fc.constantFrom("t1", "t2", null),
  tier: fc.constantFrom("gold", null),
  // Up to 70 days back (two months and more), and up to an hour ahead (future rows never count).
  offsetMs: offsetArb(-70 * DAY, 3_600_000),
});
type RowInput = typeof rowArb extends fc.Arbitrary<infer R> ? R : never;

// Few filters, so limits registered before later writes are often the ones queried (the
// trigger and batch paths); an unregistered one is registered, and back-filled, by the query.
// TAG limits' filters (a tag value, any value of a key, a tag with other selectors) are kept by
// the usage_tags triggers instead of the entries' ones.
const FILTERS: UsageFilter[] = [
  {},
  { model: "a" },
  { username: "u1" },
  { project: null },
  { model: "b", username: "u2", project: "p1" },
  { callerName: "c1", project: "p2" },
  { model: "a", username: "u1", callerName: "c1", project: null },
  { tag: { key: "tenant", value: "t1" } },
  { tag: { key: "tenant", value: null } },
  { model: "b", project: null, tag: { key: "tier", value: "gold" } },
];
const filterArb = fc.constantFrom(...FILTERS);

const record = (r: RowInput): NewUsageRecord => ({
  timestamp: new Date(NOW + r.offsetMs),
  model: r.model,
  promptTokens: r.promptTokens,
  completionTokens: r.completionTokens,
  totalTokens: r.promptTokens + r.completionTokens,
  localPromptTokens: 0,
  localCompletionTokens: 0,
  localTotalTokens: 0,
  cachedTokens: 0,
  reasoningTokens: 0,
  costNanos: r.costNanos,
  cacheWriteTokens: 0,
  costSource: "caller",
  provider: null,
  executionTime: 0,
  callerName: r.callerName,
  username: r.username,
  project: r.project,
  session: null,
  usageEstimated: false,
  ...((r.tenant ?? r.tier) !== null && { tags: { ...(r.tenant !== null && { tenant: r.tenant }), ...(r.tier !== null && { tier: r.tier }) } }),
});

/** What the store writes, in the order it happens. */
const opArb = fc.oneof(
  fc.record({ kind: fc.constant("batch" as const), rows: fc.array(rowArb, { maxLength: 40 }) }),
  fc.record({ kind: fc.constant("single" as const), rows: fc.array(rowArb, { minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constant("import" as const), rows: fc.array(rowArb, { minLength: 1, maxLength: 10 }) }),
  fc.record({ kind: fc.constant("filter" as const), filter: filterArb }),
  fc.record({ kind: fc.constant("reprice" as const), every: fc.integer({ min: 2, max: 5 }), cost: fc.bigInt({ min: 0n, max: 5_000_000n }) }),
  fc.record({ kind: fc.constant("purge" as const), beforeOffsetMs: fc.integer({ min: -80 * DAY, max: 0 }), project: fc.constantFrom(undefined, "p1") }),
  // SQLite: the next insert moves the hot buckets into quota_buckets (due once a minute in real
  // time, so a test run would otherwise rarely see a bucket split over both tables).
  fc.record({ kind: fc.constant("sweep" as const) }),
);

// A window as a limit would make it (any unit and length, at a random instant), or arbitrary instants.
const windowArb = fc.oneof(
  fc.record({ unit: fc.constantFrom(...INTERVAL_UNITS), n: fc.integer({ min: 1, max: 3 }), nowOffsetMs: fc.integer({ min: -2 * DAY, max: 2 * DAY }) }).map(({ unit, n, nowOffsetMs }) => {
    const now = new Date(NOW + nowOffsetMs);
    return { start: windowStart(now, unit, n), end: now };
  }),
  fc.record({ a: offsetArb(-75 * DAY, 2 * DAY), b: offsetArb(-75 * DAY, 2 * DAY) }).map(({ a, b }) => ({ start: new Date(NOW + Math.min(a, b)), end: new Date(NOW + Math.max(a, b)) })),
  // As a guarded write asks: from the window's start to the far future (rows after now count too).
  fc.record({ unit: fc.constantFrom(...INTERVAL_UNITS), n: fc.integer({ min: 1, max: 3 }), nowOffsetMs: fc.integer({ min: -2 * DAY, max: 2 * DAY }) }).map(({ unit, n, nowOffsetMs }) => ({
    start: windowStart(new Date(NOW + nowOffsetMs), unit, n),
    end: new Date("9999-12-31T23:59:59.999Z"),
  })),
);

const queryArb = fc.record({ filter: filterArb, window: windowArb, type: fc.constantFrom(...LIMIT_TYPES), fraction: fc.double({ min: 0, max: 1, noNaN: true }) });

function amountOf(type: LimitType, r: UsageRecord): bigint {
  if (type === "requests") return 1n;
  if (type === "input_tokens") return BigInt(r.promptTokens);
  if (type === "output_tokens") return BigInt(r.completionTokens);
  if (type === "total_tokens") return BigInt(r.totalTokens);
  return r.costNanos;
}

/** The reference: a plain sum over every stored row, and the release time from the rows themselves. */
function expected(rows: readonly UsageRecord[], query: UsageQuery): QuotaUsage {
  const counted = rows.filter((r) => r.timestamp.getTime() >= query.start.getTime() && r.timestamp.getTime() <= query.end.getTime() && usageFilterMatches(query.filter, r));
  const sums = {
    requests: counted.length,
    inputTokens: counted.reduce((s, r) => s + r.promptTokens, 0),
    outputTokens: counted.reduce((s, r) => s + r.completionTokens, 0),
    totalTokens: counted.reduce((s, r) => s + r.totalTokens, 0),
    costNanos: counted.reduce((s, r) => s + r.costNanos, 0n),
    oldest: counted.length ? new Date(Math.min(...counted.map((r) => r.timestamp.getTime()))) : null,
  };
  return withReleases(query, sums, [], (type, amount) => rowsReachingAt(counted.map((r) => ({ at: r.timestamp.getTime(), amount: amountOf(type, r) })), [amount])[0] ?? null);
}

async function allRows(store: UsageStore): Promise<UsageRecord[]> {
  const out: UsageRecord[] = [];
  for (let after = 0; ; ) {
    const page = await store.usageInRange({ start: new Date(0), end: new Date(NOW + 400 * DAY) }, after, 5000);
    if (page.length === 0) return out;
    out.push(...page);
    after = page[page.length - 1]!.id;
  }
}

type Op = typeof opArb extends fc.Arbitrary<infer O> ? O : never;

async function apply(store: UsageStore, op: Op, step: number): Promise<void> {
  switch (op.kind) {
    case "batch":
      if (op.rows.length) await store.insertUsageBatch(op.rows.map(record));
      return;
    case "single":
      for (const r of op.rows) await store.insertUsage(record(r));
      return;
    case "import":
      await store.importRows!({ kind: "usage", rows: op.rows.map(record) }, { key: `import:test:${step}`, value: step });
      return;
    case "filter":
      // A limit on this filter: its buckets are registered and back-filled from the rows so far.
      await store
        .insertLimit({
          scope: op.filter.tag ? "TAG" : "USER",
          limitType: "requests",
          maxValue: 10,
          intervalUnit: "day",
          intervalValue: 1,
          model: op.filter.model ?? null,
          username: op.filter.username ?? null,
          callerName: op.filter.callerName ?? null,
          projectName: typeof op.filter.project === "string" ? op.filter.project : null,
          ...(op.filter.tag && { tag: { key: op.filter.tag.key, value: op.filter.tag.value ?? "*" } }),
        })
        .catch(() => undefined);
      return;
    case "reprice": {
      const rows = await allRows(store);
      await store.updateCosts!(rows.filter((_, i) => i % op.every === 0).map((r) => ({ id: r.id, costNanos: op.cost, costSource: "price" as const })));
      return;
    }
    case "purge":
      await store.purgeUsage({ before: new Date(NOW + op.beforeOffsetMs), ...(op.project ? { project: op.project } : {}) });
      return;
    case "sweep":
      if (store instanceof SqliteStore && store.location.kind === "file") {
        await store.open();
        const db = new Database(store.location.path);
        try {
          db.prepare("UPDATE store_counters SET value = 0 WHERE key = 'quota_hot_swept'").run();
        } finally {
          db.close();
        }
      }
      return;
  }
}

for (const backend of ["sqlite", "postgresql"] as const) {
  describe(`quota buckets against a plain SUM: ${backend}`, () => {
    it("agree on sums, the oldest row and release times after any mix of writes", { timeout: 600_000 }, async () => {
      await fc.assert(
        // The instant of the check picks how a store reads a window's edges (nothing is written
        // after now, usually), never what it sums: before, at and after the windows' ends.
        fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 8 }), fc.array(queryArb, { minLength: 1, maxLength: 12 }), offsetArb(-2 * DAY, 3 * DAY), async (ops, queries, checkAtMs) => {
          const store = await stores.open[backend]();
          try {
            // Checked after every write, so a store that keeps sums between checks (SQLite's part
            // cache) is checked warm, after inserts by id, and after updates and deletes. Each
            // step asks two more queries than the last: a filter first asked about after writes
            // meets minutes another filter had read before them.
            for (const [i, op] of ops.entries()) {
              await apply(store, op, i);
              const rows = await allRows(store);
              const asked = i === ops.length - 1 ? queries : queries.slice(0, 1 + 2 * i);
              const built: UsageQuery[] = asked.map(({ filter, window, type, fraction }) => {
                // A release need whose ceiling the window's usage exceeds in about half the cases.
                const total = expected(rows, { filter, ...window }).requests;
                const ceiling = type === "requests" ? BigInt(Math.floor(total * fraction)) : BigInt(Math.floor(fraction * 1000 * total));
                return { filter, ...window, needsOldest: true, releases: [{ type, ceiling, unit: "day_rolling", intervalValue: 1 }] };
              });
              const got = await store.sumQuotaUsage(built, new Date(NOW + checkAtMs));
              expect(got).toEqual(built.map((q) => expected(rows, q)));
            }
          } finally {
            await store.close();
          }
        }),
        { numRuns: backend === "sqlite" ? 60 : 20 },
      );
    });

    it("reads each ragged edge from either side exactly: rows on, before and after both ends, one minute boundary apart too", async () => {
      const store = await stores.open[backend]();
      try {
        const minute = Math.floor(NOW / 60_000) * 60_000;
        // Edges early and late in their minutes (each side is the shorter once), rows on and 1 ms beside them.
        // The last two are in the minute before the third and fourth: windows over one minute boundary (a rolling minute).
        const edges = [minute - 5 * 60_000 + 7, minute - 3 * 60_000 + 59_990, minute + 3, minute + 59_995, minute - 60_000 + 11, minute - 60_000 + 59_980];
        const offsets = edges.flatMap((edge) => [edge - 1, edge, edge + 1]).map((at) => at - NOW);
        await store.insertUsageBatch(offsets.map((offsetMs, i) => record({ model: "a", username: "u1", callerName: "c1", project: "p1", promptTokens: i + 1, completionTokens: 0, costNanos: BigInt(1 + i), tenant: null, tier: null, offsetMs })));
        await store.insertLimit({ scope: "GLOBAL", limitType: "requests", maxValue: 10, intervalUnit: "day", intervalValue: 1, model: null, username: null, callerName: null, projectName: null });
        const rows = await allRows(store);
        // The last two: as a guarded write asks, to the far future.
        const farFuture = Date.parse("9999-12-31T23:59:59.999Z");
        const windows: [number, number][] = [[edges[0]!, edges[2]!], [edges[1]!, edges[3]!], [edges[0]!, edges[3]!], [edges[1]!, edges[2]!], [edges[0]!, farFuture], [edges[1]!, farFuture]];
        for (const start of [edges[4]!, edges[5]!]) windows.push([start, edges[2]!], [start, edges[3]!], [start, farFuture]);
        for (const [start, end] of windows) {
          for (const now of end === farFuture ? [minute + 30_000, start - DAY] : [end, end + 30_000, start - DAY]) {
            const query = { filter: {}, start: new Date(start), end: new Date(end) };
            const [got] = await store.sumQuotaUsage([query], new Date(now));
            expect([start - minute, end - minute, now - end, got!.requests, got!.inputTokens]).toEqual([start - minute, end - minute, now - end, expected(rows, query).requests, expected(rows, query).inputTokens]);
          }
        }
      } finally {
        await store.close();
      }
    });

    it("counts, for a filter first asked about after writes, the rows of a minute another filter read before them", async () => {
      const store = await stores.open[backend]();
      try {
        const minute = Math.floor(NOW / 60_000) * 60_000;
        const row = (username: "u1" | "u2", tenant: "t1" | "t2", second: number, tokens: number) =>
          record({ model: username === "u1" ? "a" : "b", username, callerName: "c1", project: "p1", promptTokens: tokens, completionTokens: 0, costNanos: 1n, tenant, tier: null, offsetMs: minute + second * 1000 - NOW });
        await store.insertUsageBatch([row("u1", "t1", 5, 1), row("u2", "t2", 6, 2), row("u1", "t2", 20, 4)]);
        const window = { start: new Date(minute + 1000), end: new Date(minute + 50_000) };
        const ask = async (filters: UsageFilter[]) => {
          const rows = await allRows(store);
          const queries = filters.map((filter) => ({ filter, ...window }));
          const got = await store.sumQuotaUsage(queries, new Date(minute + 55_000));
          expect(got.map((g) => [g.requests, g.inputTokens])).toEqual(queries.map((q) => [expected(rows, q).requests, expected(rows, q).inputTokens]));
        };
        // The minute is read for these two (all rows, and those tagged with a tenant)...
        await ask([{ username: "u1" }, { tag: { key: "tenant", value: "t1" } }]);
        // ...then written to, one row at a time and in a batch, then asked about for other filters.
        await store.insertUsage(row("u2", "t2", 30, 8));
        await store.insertUsageBatch([row("u2", "t1", 31, 16), row("u1", "t2", 32, 32)]);
        await ask([{ username: "u2" }, { model: "b" }, { tag: { key: "tenant", value: "t2" } }, { tag: { key: "tenant", value: null } }, {}]);
        await ask([{ username: "u1" }, { tag: { key: "tenant", value: "t1" } }]);
      } finally {
        await store.close();
      }
    });
  });
}
