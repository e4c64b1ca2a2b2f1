import { appendFileSync } from "node:fs";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { UsageStore } from "@llm-accounting/core";
import { importAgentLogs } from "../src/index.js";
import { jsonl } from "./fixtures/claude-lines.js";
import { agentMessage, plus, sessionMeta, tokenCount, turnContext, type CodexUsage } from "./fixtures/codex-lines.js";
import { accountingOn, agentCallRows, allRecords, freshSqlStores, logDir } from "./store-helpers.js";

const CWD = "/Users/mira/code/shop-api";
const S1 = "019a4c2e-7b10-7c3e-9a51-3f0c6e2b8d11";
const CHILD = "019a4c2e-9c20-7d4f-8b62-4a1d7f3c9e22";

const u = (input: number, cached: number, output: number, reasoning: number): CodexUsage => ({ input, cached, output, reasoning });
const call1 = u(12_000, 8_000, 900, 600);
const call2 = u(15_000, 11_000, 400, 128);
const call3 = u(15_000, 11_000, 400, 128); // same per-call usage as call2: a real, second call
const t1 = call1;
const t2 = plus(t1, call2);
const t3 = plus(t2, call3);

/** A rollout: rate-limit-only events, re-emitted unchanged totals, a model switch mid-session. */
const rollout = [
  sessionMeta(S1, "2026-11-03T09:00:00.000Z", CWD),
  turnContext("2026-11-03T09:00:01.000Z", CWD, "gpt-5.3-codex"),
  tokenCount("2026-11-03T09:00:01.500Z", null),
  agentMessage("2026-11-03T09:00:09.000Z", "Reading src/orders.ts"),
  tokenCount("2026-11-03T09:00:10.000Z", t1, call1),
  tokenCount("2026-11-03T09:00:10.400Z", t1, call1), // re-emitted: same total, fresh clock
  turnContext("2026-11-03T09:05:00.000Z", CWD, "gpt-5.5"),
  tokenCount("2026-11-03T09:05:00.100Z", null),
  tokenCount("2026-11-03T09:05:20.000Z", t2, call2),
  tokenCount("2026-11-03T09:05:21.000Z", t2, call2),
  tokenCount("2026-11-03T09:06:00.000Z", t3, call3),
];

const stores = freshSqlStores("agent-codex-");
afterAll(() => stores.remove());

describe.each(["sqlite", "postgresql"] as const)("Codex import (%s)", (backend) => {
  let store: UsageStore;
  let logs: ReturnType<typeof logDir>;
  beforeEach(async () => {
    store = await stores.open[backend]();
    logs = logDir("codex-home-");
  });
  afterEach(async () => {
    await store.close();
    logs.remove();
  });

  it("records one call per move of the cumulative total, with the model of its turn", async () => {
    logs.write(`sessions/2026/11/03/rollout-2026-11-03T10-00-00-${S1}.jsonl`, jsonl(rollout));
    expect(await importAgentLogs("codex", accountingOn(store), { dir: logs.root })).toMatchObject({ files: 1, inserted: 3, updated: 0, unpricedModels: ["gpt-5.5"] });
    const records = await allRecords(store);
    expect(records.map((r) => [r.model, r.promptTokens, r.cachedTokens, r.completionTokens, r.reasoningTokens, r.timestamp.toISOString()])).toEqual([
      ["gpt-5.3-codex", 12_000, 8_000, 900, 600, "2026-11-03T09:00:10.000Z"],
      ["gpt-5.5", 15_000, 11_000, 400, 128, "2026-11-03T09:05:20.000Z"],
      ["gpt-5.5", 15_000, 11_000, 400, 128, "2026-11-03T09:06:00.000Z"],
    ]);
    expect(records.every((r) => r.session === S1 && r.project === CWD && r.callerName === "codex" && r.provider === "openai")).toBe(true);
    // input includes cached, output includes reasoning: 4,000 fresh x $1.75 + 8,000 x $0.175 + 900 x $14 per million.
    expect(records[0]!.costNanos).toBe(4_000n * 1750n + 8_000n * 175n + 900n * 14_000n);
    expect(records[1]!.costSource).toBe("unpriced"); // gpt-5.5 has no price in this test's table
  });

  it("keeps the cumulative baseline between runs: an appended call is its own delta, not the session total", async () => {
    const file = logs.write(`sessions/2026/11/03/rollout-2026-11-03T10-00-00-${S1}.jsonl`, jsonl(rollout.slice(0, 6)));
    const accounting = accountingOn(store);
    expect(await importAgentLogs("codex", accounting, { dir: logs.root })).toMatchObject({ inserted: 1 });
    appendFileSync(file, jsonl(rollout.slice(6)));
    expect(await importAgentLogs("codex", accounting, { dir: logs.root })).toMatchObject({ filesRead: 1, inserted: 2 });
    expect((await allRecords(store)).map((r) => r.promptTokens)).toEqual([12_000, 15_000, 15_000]);
    // A re-emitted counter appended later is still not a call.
    appendFileSync(file, jsonl([tokenCount("2026-11-03T09:07:00.000Z", t3, call3)]));
    expect(await importAgentLogs("codex", accounting, { dir: logs.root })).toMatchObject({ filesRead: 1, inserted: 0 });
    expect(await importAgentLogs("codex", accounting, { dir: logs.root })).toMatchObject({ filesRead: 0, bytesRead: 0 });
  });

  it("does not count a spawned sub-agent's replay of its parent's history, and files its own calls under the parent", async () => {
    logs.write(`sessions/2026/11/03/rollout-2026-11-03T10-00-00-${S1}.jsonl`, jsonl(rollout));
    // The child's file opens with the parent's meta and token history, replayed as a burst at
    // spawn time (fresh timestamps), then its own session.
    const own = u(6_000, 0, 200, 50);
    logs.write(
      `sessions/2026/11/03/rollout-2026-11-03T10-06-30-${CHILD}.jsonl`,
      jsonl([
        sessionMeta(S1, "2026-11-03T09:00:00.000Z", CWD),
        tokenCount("2026-11-03T09:06:30.101Z", t1, call1),
        tokenCount("2026-11-03T09:06:30.102Z", t2, call2),
        tokenCount("2026-11-03T09:06:30.103Z", t3, call3),
        sessionMeta(CHILD, "2026-11-03T09:06:30.000Z", CWD, S1),
        turnContext("2026-11-03T09:06:30.000Z", CWD, "gpt-5.3-codex"),
        tokenCount("2026-11-03T09:06:40.000Z", plus(t3, own), own),
      ]),
    );
    expect(await importAgentLogs("codex", accountingOn(store), { dir: logs.root })).toMatchObject({ files: 2, inserted: 4 });
    const records = await allRecords(store);
    expect(records.map((r) => r.promptTokens)).toEqual([12_000, 15_000, 15_000, 6_000]);
    expect(records[3]).toMatchObject({ session: S1, completionTokens: 200, reasoningTokens: 50 });
    expect((await agentCallRows(store)).filter((k) => k.subagent !== null).map((k) => k.subagent)).toEqual(["reviewer"]);
  });

  it("takes the event's own usage when the total goes back (a reset) and restarts the baseline there", async () => {
    const after = u(3_000, 0, 100, 0);
    const next = u(2_000, 1_000, 50, 0);
    logs.write(
      `sessions/2026/11/03/rollout-2026-11-03T10-00-00-${S1}.jsonl`,
      jsonl([...rollout, tokenCount("2026-11-03T10:00:00.000Z", after, after), tokenCount("2026-11-03T10:01:00.000Z", plus(after, next), next)]),
    );
    expect(await importAgentLogs("codex", accountingOn(store), { dir: logs.root })).toMatchObject({ inserted: 5 });
    expect((await allRecords(store)).slice(3).map((r) => r.promptTokens)).toEqual([3_000, 2_000]);
  });
});
