import { groupedSumsOf, USAGE_RECORD_COLUMNS } from "@llm-accounting/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AgentCall, AgentLogFile, UsageStore } from "@llm-accounting/core";
import { sampleRecord } from "./sample-records.js";
import type { TestStoreOptions } from "./test-store-options.js";
import { freshStore } from "./fresh-store.js";

const file = (position: number, overrides: Partial<AgentLogFile> = {}): AgentLogFile => ({
  source: "claude-code",
  path: "/home/u/.claude/projects/p/s.jsonl",
  size: position + 10,
  mtimeMs: 1_763_000_000_123.5,
  position,
  lines: position / 10,
  head: "4096:ab12",
  state: '{"total":[1,2,3,4,5]}',
  ...overrides,
});

const call = (key: string, completionTokens: number, minute: number): AgentCall => ({
  key,
  record: sampleRecord({
    timestamp: new Date(Date.UTC(2025, 0, 20, 10, minute)),
    model: "claude-sonnet-4-5-20250929",
    provider: "anthropic",
    callerName: "claude-code",
    completionTokens,
    totalTokens: 100 + completionTokens,
    costNanos: BigInt(completionTokens) * 15_000n,
    costSource: "price",
    session: `s-${minute}`,
  }),
  cacheWrite1hTokens: 3,
  subagent: null,
});

/**
 * The agent-import part of the contract: calls recorded once per key, a larger copy updating
 * its entry in place (and every sum with it), file progress kept per source and path.
 * With `capabilities.agentImport: false` the store must not offer the methods at all.
 */
export function testAgentImportStore(options: TestStoreOptions): void {
  describe(`store contract, agent import: ${options.name}`, () => {
    let store: UsageStore;
    beforeEach(async () => {
      store = await freshStore(options);
    });
    afterEach(async () => {
      await store?.close();
    });

    if (options.capabilities?.agentImport === false) {
      it("declares it cannot import agent logs (no methods)", () => {
        expect(store.agentLogFiles).toBeUndefined();
        expect(store.importAgentCalls).toBeUndefined();
      });
      return;
    }

    const range = { start: new Date(Date.UTC(2025, 0, 20)), end: new Date(Date.UTC(2025, 0, 21)) };

    it("stores each key once and the file's progress with it", async () => {
      expect(await store.agentLogFiles!("claude-code")).toEqual([]);
      expect(await store.importAgentCalls!([call("k1", 10, 1), call("k2", 20, 2)], file(100))).toEqual({ inserted: 2, updated: 0 });
      expect(await store.importAgentCalls!([call("k1", 10, 1), call("k2", 5, 9)], file(200))).toEqual({ inserted: 0, updated: 0 });
      expect((await store.tail(10)).map((r) => [r.session, r.completionTokens])).toEqual([
        ["s-2", 20],
        ["s-1", 10],
      ]);
      expect(await store.agentLogFiles!("claude-code")).toEqual([file(200)]);
      expect(await store.agentLogFiles!("codex")).toEqual([]);
    });

    it("updates a known call from a larger copy in place, keeping its time and session, and every sum follows", async () => {
      await store.importAgentCalls!([call("k1", 10, 1), call("k2", 20, 2)], file(100));
      expect(await store.importAgentCalls!([call("k1", 400, 30)], file(300, { state: "{}" }))).toEqual({ inserted: 0, updated: 1 });
      const rows = await store.tail(10);
      expect(rows.map((r) => [r.session, r.completionTokens, r.costNanos, r.timestamp.toISOString()])).toEqual([
        ["s-2", 20, 300_000n, "2025-01-20T10:02:00.000Z"],
        ["s-1", 400, 6_000_000n, "2025-01-20T10:01:00.000Z"],
      ]);
      const totals = await store.sumUsage(range);
      expect([totals.requests, totals.completionTokens, totals.costNanos]).toEqual([2, 420, 6_300_000n]);
      const byModel = await groupedSumsOf(store).sumUsageByModel(range);
      expect(byModel.map((m) => [m.model, m.completionTokens])).toEqual([["claude-sonnet-4-5-20250929", 420]]);
      const bySession = await groupedSumsOf(store).sumUsageBy(range, "callerName");
      expect(bySession.map((g) => [g.key, g.requests, g.completionTokens])).toEqual([["claude-code", 2, 420]]);
      expect(await store.agentLogFiles!("claude-code")).toEqual([file(300, { state: "{}" })]);
    });

    it("takes every token count, the cost and its source from the larger copy, and nothing else", async () => {
      const first = call("k1", 10, 1);
      // Every column of the larger copy differs from the first one's.
      const values: Record<string, unknown> = {};
      for (const c of USAGE_RECORD_COLUMNS) {
        const was = (first.record as unknown as Record<string, unknown>)[c.field];
        const again = { instant: () => new Date(Date.UTC(2025, 0, 20, 11)), nanos: () => (was as bigint) + 7n, costSource: () => "caller", tokens: () => (was as number) + 1000, seconds: () => (was as number) + 1000, model: () => `${String(was)}-again`, name: () => `${String(was)}-again`, flag: () => !was };
        values[c.field] = again[c.kind]();
      }
      const larger: AgentCall = { ...first, record: values as unknown as AgentCall["record"] };
      await store.importAgentCalls!([first], file(100));
      expect(await store.importAgentCalls!([larger], file(200))).toEqual({ inserted: 0, updated: 1 });
      const grown = new Set<string>(USAGE_RECORD_COLUMNS.filter((c) => c.kind === "tokens" || c.kind === "nanos" || c.kind === "costSource").map((c) => c.field));
      const expected = Object.fromEntries(USAGE_RECORD_COLUMNS.map((c) => [c.field, (grown.has(c.field) ? larger : first).record[c.field]]));
      const [row] = await store.tail(1);
      expect({ ...row, id: undefined, tags: undefined }).toEqual({ ...expected, id: undefined, tags: undefined });
    });

    it("keeps files of different paths and sources apart", async () => {
      await store.importAgentCalls!([], file(300, { state: "{}" }));
      await store.importAgentCalls!([], file(50, { source: "codex", path: "/c/rollout.jsonl" }));
      await store.importAgentCalls!([], file(60, { path: "/other.jsonl" }));
      expect((await store.agentLogFiles!("claude-code")).map((f) => [f.path, f.position]).sort()).toEqual([
        ["/home/u/.claude/projects/p/s.jsonl", 300],
        ["/other.jsonl", 60],
      ]);
      expect(await store.agentLogFiles!("codex")).toEqual([file(50, { source: "codex", path: "/c/rollout.jsonl" })]);
    });
  });
}
