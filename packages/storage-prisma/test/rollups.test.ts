import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import type { NewUsageRecord } from "@llm-accounting/core";
import { SqliteStore } from "../src/index.js";

// Batches keep the rollup tables by sums taken in JavaScript; single writes by triggers. Either
// way the rollups must equal the GROUP BY of accounting_entries that the triggers define.
const dir = mkdtempSync(join(tmpdir(), "llm-acct-rollups-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SUMS = `SUM(prompt_tokens), SUM(completion_tokens), SUM(total_tokens), SUM(local_prompt_tokens), SUM(local_completion_tokens), SUM(local_total_tokens), SUM(cached_tokens), SUM(reasoning_tokens), SUM(cost_nanos), SUM(CAST(round(execution_time * 1000000) AS INTEGER))`;
const EXPECTED_HOURLY = `SELECT substr(timestamp, 1, 13) || ':00:00.000+00:00', model, COUNT(*), ${SUMS} FROM accounting_entries GROUP BY 1, 2 ORDER BY 1, 2`;
const STORED_HOURLY = `SELECT hour, model, requests, prompt_tokens, completion_tokens, total_tokens, local_prompt_tokens, local_completion_tokens, local_total_tokens, cached_tokens, reasoning_tokens, cost_nanos, execution_micros FROM usage_hourly ORDER BY 1, 2`;
const EXPECTED_DAILY = `SELECT substr(timestamp, 1, 10) || 'T00:00:00.000+00:00', COALESCE(username, ''), username IS NULL, COALESCE(project, ''), project IS NULL, COALESCE(caller_name, ''), caller_name IS NULL, COUNT(*), ${SUMS} FROM accounting_entries GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7`;
const STORED_DAILY = `SELECT day, username, username_null, project, project_null, caller_name, caller_name_null, requests, prompt_tokens, completion_tokens, total_tokens, local_prompt_tokens, local_completion_tokens, local_total_tokens, cached_tokens, reasoning_tokens, cost_nanos, execution_micros FROM usage_daily_dims ORDER BY 1, 2, 3, 4, 5, 6, 7`;

const T0 = Date.parse("2025-03-01T00:00:00.000Z");
// undefined: hand-built records may leave a name out; it is stored, and rolled up, as null.
const name = fc.constantFrom(null, undefined as unknown as null, "", "a", "b", "a:1", "1:a", "~", "žluť");
const record: fc.Arbitrary<NewUsageRecord> = fc.record({
  timestamp: fc.integer({ min: 0, max: 3 * 86_400_000 }).map((ms) => new Date(T0 + ms)),
  model: fc.constantFrom("m1", "m2", "m:3"),
  // Now and then a count near 2^53: sums beyond it are left to SQL.
  promptTokens: fc.oneof({ weight: 9, arbitrary: fc.nat(5000) }, { weight: 1, arbitrary: fc.constant(2 ** 52 + 1) }),
  completionTokens: fc.nat(5000),
  totalTokens: fc.nat(10_000),
  localPromptTokens: fc.nat(100),
  localCompletionTokens: fc.nat(100),
  localTotalTokens: fc.nat(200),
  cachedTokens: fc.nat(100),
  cacheWriteTokens: fc.nat(100),
  reasoningTokens: fc.nat(100),
  costNanos: fc.bigInt({ min: 0n, max: 10n ** 12n }),
  costSource: fc.constantFrom(null, "caller" as const),
  // Including values whose micro-seconds end in exactly one half.
  // Also values whose micro-seconds are beyond 2^52 (SQLite's round() leaves those alone) or 2^53.
  executionTime: fc.oneof(fc.double({ min: 0, max: 100, noNaN: true }), fc.constantFrom(0.0000005, 0.0000015, 2.5e-7, 4503599627370497e-6, 1e9)),
  callerName: name,
  username: name,
  project: name,
  session: fc.constantFrom(null, "s1"),
  usageEstimated: fc.boolean(),
  provider: fc.constantFrom(null, "openai"),
  cacheWrite1hTokens: fc.nat(100),
  serviceTier: fc.constantFrom(null, "batch", "flex"),
});

/** The record with every column a typical call leaves at its default (the writer's lean inserts). */
const lean = (r: NewUsageRecord): NewUsageRecord => ({ ...r, localPromptTokens: 0, localCompletionTokens: 0, localTotalTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, provider: null, session: null, cacheWrite1hTokens: 0, serviceTier: null });

function compare(file: string): void {
  const db = new Database(file, { readonly: true });
  db.defaultSafeIntegers(true);
  try {
    expect(db.prepare(STORED_HOURLY).raw().all()).toEqual(db.prepare(EXPECTED_HOURLY).raw().all());
    expect(db.prepare(STORED_DAILY).raw().all()).toEqual(db.prepare(EXPECTED_DAILY).raw().all());
    expect(db.prepare("SELECT COUNT(*) FROM store_counters WHERE key = 'rollups_deferred'").pluck().get()).toBe(0n);
  } finally {
    db.close();
  }
}

describe.each([true, false])("rollup tables (batches on the writer thread: %s)", (writerThread) => {
  it("equal the sums of accounting_entries after any mix of batches, single inserts and deletes", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.array(record, { maxLength: 80 }).map((rows) => ({ kind: "batch" as const, rows })), fc.array(record, { maxLength: 80 }).map((rows) => ({ kind: "batch" as const, rows: rows.map(lean) })), record.map((row) => ({ kind: "one" as const, row })), fc.constant({ kind: "delete-some" as const })), { maxLength: 8 }),
        async (steps) => {
          const file = join(dir, `mix-${writerThread}-${run++}.sqlite`);
          const store = new SqliteStore({ file, writerThread });
          await store.open();
          for (const step of steps) {
            if (step.kind === "batch") await store.insertUsageBatch(step.rows);
            else if (step.kind === "one") await store.insertUsage(step.row);
            else {
              // Deletes run the per-row delete triggers; they must compose with batch sums.
              const other = new Database(file, { timeout: 5000 });
              other.exec("DELETE FROM accounting_entries WHERE id % 3 = 0");
              other.close();
            }
          }
          await store.close();
          compare(file);
        },
      ),
      { numRuns: 40 },
    );
  }, 300_000); // a fresh database per run: minutes on a loaded machine

  it("store every column of lean and full rows as given", async () => {
    const file = join(dir, `columns-${writerThread}.sqlite`);
    const store = new SqliteStore({ file, writerThread });
    const given = fc.sample(record, { numRuns: 80, seed: 7 }).map((r, i) => (i < 50 ? lean(r) : r));
    await store.insertUsageBatch(given);
    const stored = (await store.tail(100)).sort((a, b) => a.id - b.id);
    const expected = given.map((r) => ({ ...r, username: r.username ?? null, project: r.project ?? null, callerName: r.callerName ?? null, executionTime: expect.closeTo(r.executionTime, 12) }));
    expect(stored.map(({ id: _id, ...rest }) => rest)).toEqual(expected);
    await store.close();
  });

  it("match SQLite exactly for sums beyond 2^53 and micro-seconds beyond 2^52", async () => {
    const file = join(dir, `extremes-${writerThread}.sqlite`);
    const store = new SqliteStore({ file, writerThread });
    const big: NewUsageRecord = { timestamp: new Date(T0), model: "m", promptTokens: 2 ** 52 + 1, completionTokens: 0, totalTokens: 2 ** 52 + 1, localPromptTokens: 0, localCompletionTokens: 0, localTotalTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, costNanos: 1n, costSource: "caller", executionTime: 4503599627370497e-6, callerName: null, username: "u", project: null, session: null, provider: null, usageEstimated: false };
    await store.insertUsageBatch([big, big, big]);
    await store.close();
    compare(file);
  });

  it("keep the triggers on for other writers, and a failed batch changes nothing", async () => {
    const file = join(dir, `other-writers-${writerThread}.sqlite`);
    const store = new SqliteStore({ file, writerThread });
    const base: NewUsageRecord = { timestamp: new Date(T0), model: "m", promptTokens: 1, completionTokens: 2, totalTokens: 3, localPromptTokens: 0, localCompletionTokens: 0, localTotalTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, costNanos: 5n, costSource: "caller", executionTime: 0.25, callerName: null, username: "u", project: null, session: null, provider: null, usageEstimated: false };
    await store.insertUsageBatch(Array.from({ length: 30 }, () => base));
    // Another connection (another process, the sqlite3 shell) writes a row the plain way.
    const other = new Database(file);
    other
      .prepare("INSERT INTO accounting_entries (timestamp, model, prompt_tokens, completion_tokens, total_tokens, cost_nanos, execution_time, username) VALUES (?, 'm', 1, 2, 3, 5, 0.25, 'u')")
      .run(new Date(T0).toISOString().replace("Z", "+00:00"));
    other.close();
    // A batch with a bad record in the middle (model NOT NULL) is refused whole.
    const bad = { ...base, model: null as unknown as string };
    await expect(store.insertUsageBatch([base, base, bad, base])).rejects.toThrow(/NOT NULL/);
    await store.close();
    compare(file);
    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT requests FROM usage_hourly").pluck().all()).toEqual([31]);
    db.close();
  });
});
