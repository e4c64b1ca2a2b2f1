import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { Accounting, ConflictError, planQuota, type NewUsageLimit, type QuotaRequest } from "@llm-accounting/core";
import { SqliteStore } from "../src/index.js";

// The in-process quota index must give exactly the sums SQL gives, for any data and any limits.
const dir = mkdtempSync(join(tmpdir(), "llm-acct-index-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MODELS = ["a", "b", "c"];
const USERS = ["u1", "u2", "u3", null];
const PROJECTS = ["p1", "p2", null];
const UNITS = ["second", "minute", "hour", "day", "week", "monthly", "second_rolling", "minute_rolling", "hour_rolling", "day_rolling", "week_rolling", "monthly_rolling"] as const;
const NOW = Date.parse("2025-06-15T12:00:00.000Z");

const row = fc.record({
  model: fc.constantFrom(...MODELS),
  username: fc.constantFrom(...USERS),
  project: fc.constantFrom(...PROJECTS),
  callerName: fc.constantFrom("c1", "c2", null),
  promptTokens: fc.nat(1000),
  completionTokens: fc.nat(1000),
  cost: fc.nat(10_000).map((n) => n / 1e6),
  // Up to 40 days back, plus a few rows in the future (which checks must not count).
  ageMs: fc.integer({ min: -3_600_000, max: 40 * 86_400_000 }),
});

const limitArb = fc.record({
  scope: fc.constantFrom("GLOBAL", "MODEL", "USER", "CALLER", "PROJECT"),
  limitType: fc.constantFrom("requests", "input_tokens", "output_tokens", "total_tokens", "cost"),
  maxValue: fc.constant(1e9),
  intervalUnit: fc.constantFrom(...UNITS),
  intervalValue: fc.integer({ min: 1, max: 4 }),
  model: fc.constantFrom(null, "*", ...MODELS),
  username: fc.constantFrom(null, "*", "u1", "u2"),
  callerName: fc.constantFrom(null, "*", "c1"),
  projectName: fc.constantFrom("*", "p1", "p2"),
}) as fc.Arbitrary<NewUsageLimit>;

describe("quota index against SQL", () => {
  it("agrees on every sum for random rows, limits, requests and clocks", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 300 }), fc.array(limitArb, { minLength: 1, maxLength: 12 }), fc.array(row, { minLength: 1, maxLength: 10 }), fc.integer({ min: 0, max: 3 * 86_400_000 }), async (rows, limits, requests, drift) => {
        const file = join(dir, `agree-${run++}.sqlite`);
        const indexed = new SqliteStore({ file });
        const plain = new SqliteStore({ file, quotaIndex: false });
        const writer = new Accounting({ store: indexed });
        // Half the rows before the index is built, half after: both paths of the index.
        const half = Math.floor(rows.length / 2);
        const toInput = (r: (typeof rows)[number]) => ({ ...r, timestamp: new Date(NOW - r.ageMs) });
        await writer.trackUsageBatch(rows.slice(0, half).map(toInput));
        // Random limits can repeat; the original's uniqueness rule refuses exact duplicates.
        for (const l of limits) await indexed.insertLimit(l).catch((e: unknown) => expect(e).toBeInstanceOf(ConflictError));
        const stored = await indexed.listLimits();
        for (const [i, r] of requests.entries()) {
          const now = new Date(NOW + (drift * i) / requests.length);
          const request: QuotaRequest = { model: r.model, username: r.username, callerName: r.callerName, projectName: r.project, inputTokens: 1, completionTokens: 1, costNanos: 1n };
          const plan = planQuota(stored, request, now);
          expect(await indexed.sumQuotaUsage(plan.queries, now)).toEqual(await plain.sumQuotaUsage(plan.queries, now));
          if (i === 0) await writer.trackUsageBatch(rows.slice(half).map(toInput));
        }
        await indexed.close();
        await plain.close();
      }),
      { numRuns: 25 },
    );
  }, 300_000); // a fresh database per run: minutes on a loaded machine

  it("agrees on rolling release times when the limits are exceeded", async () => {
    let run = 0;
    let released = 0;
    const tight = limitArb.chain((l) =>
      fc.record({ unit: fc.constantFrom(...UNITS.filter((u) => u.endsWith("_rolling"))), max: fc.integer({ min: 1, max: 3000 }) }).map(({ unit, max }) => ({
        ...l,
        intervalUnit: unit,
        // Small enough that random rows exceed it, large enough for the request to fit once they leave.
        maxValue: l.limitType === "cost" ? max / 100_000 : l.limitType === "requests" ? Math.ceil(max / 300) : max,
      })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 300 }), fc.array(tight, { minLength: 1, maxLength: 6 }), fc.array(row, { minLength: 1, maxLength: 5 }), async (rows, limits, requests) => {
        const file = join(dir, `release-${run++}.sqlite`);
        const indexed = new SqliteStore({ file });
        const plain = new SqliteStore({ file, quotaIndex: false });
        const writer = new Accounting({ store: indexed });
        await writer.trackUsageBatch(rows.map((r) => ({ ...r, timestamp: new Date(NOW - r.ageMs) })));
        for (const l of limits) await indexed.insertLimit(l).catch((e: unknown) => expect(e).toBeInstanceOf(ConflictError));
        const stored = await indexed.listLimits();
        const now = new Date(NOW);
        for (const r of requests) {
          const request: QuotaRequest = { model: r.model, username: r.username, callerName: r.callerName, projectName: r.project, inputTokens: 1, completionTokens: 1, costNanos: 1n };
          const plan = planQuota(stored, request, now);
          const fromIndex = await indexed.sumQuotaUsage(plan.queries, now);
          expect(fromIndex).toEqual(await plain.sumQuotaUsage(plan.queries, now));
          released += fromIndex.flatMap((u) => u.releasedAt ?? []).filter((t) => t !== null).length;
        }
        await indexed.close();
        await plain.close();
      }),
      { numRuns: 15 },
    );
    // The random limits must actually be exceeded for this to compare anything.
    expect(released).toBeGreaterThan(0);
  }, 300_000);
});
