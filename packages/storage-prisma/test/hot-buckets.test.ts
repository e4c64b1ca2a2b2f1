import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { NewUsageRecord } from "@llm-accounting/core";
import { SqliteStore } from "../src/index.js";

// The property test stamps rows in 2025, so every bucket has ended when a sweep runs. Here rows
// are stamped by the real clock, as a service writes them: the sweep must move the ended buckets
// and leave the current minute's in the hot table, and the sums must not change either way.
const dir = mkdtempSync(join(tmpdir(), "llm-acct-hot-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const record = (at: number, promptTokens: number): NewUsageRecord => ({
  timestamp: new Date(at),
  model: "m",
  promptTokens,
  completionTokens: 1,
  totalTokens: promptTokens + 1,
  localPromptTokens: 0,
  localCompletionTokens: 0,
  localTotalTokens: 0,
  cachedTokens: 0,
  reasoningTokens: 0,
  costNanos: 5n,
  cacheWriteTokens: 0,
  costSource: "caller",
  provider: null,
  executionTime: 0,
  callerName: null,
  username: "u",
  project: null,
  session: null,
  usageEstimated: false,
});

describe("quota_buckets_hot on the real clock", () => {
  it("keeps the current minute hot, moves ended buckets, and sums the same", async () => {
    const file = join(dir, "hot.sqlite");
    const store = new SqliteStore({ file });
    await store.insertLimit({ scope: "USER", limitType: "requests", maxValue: 100, intervalUnit: "day", intervalValue: 1, model: null, username: "u", callerName: null, projectName: null });
    const now = Date.now();
    for (const [ago, tokens] of [[150_000, 1], [90_000, 2], [1_000, 4]] as const) await store.insertUsage(record(now - ago, tokens));
    const query = { filter: { username: "u" }, start: new Date(now - 3_600_000), end: new Date(now + 60_000) };
    const before = await store.sumQuotaUsage([query], new Date(now));

    const side = new Database(file);
    side.prepare("UPDATE store_counters SET value = 0 WHERE key = 'quota_hot_swept'").run();
    // A back-dated row makes a new hot bucket, which runs the sweep.
    await store.insertUsage(record(now - 600_000, 8));
    const hot = side.prepare("SELECT span, start FROM quota_buckets_hot WHERE span = 60").all() as { span: number; start: number }[];
    const swept = side.prepare("SELECT value FROM store_counters WHERE key = 'quota_hot_swept'").pluck().get() as number;
    side.close();

    expect(swept).toBeGreaterThan(0);
    // Every minute bucket left hot is one that had not ended at the sweep.
    for (const bucket of hot) expect((bucket.start + bucket.span) * 1000).toBeGreaterThan(now - 1_000);
    const after = await store.sumQuotaUsage([query], new Date(now));
    expect(after[0]).toMatchObject({ requests: before[0]!.requests + 1, inputTokens: before[0]!.inputTokens + 8 });
    expect(before[0]).toMatchObject({ requests: 3, inputTokens: 7 });
    await store.close();
  });
});
