import { appendFileSync, utimesSync, writeFileSync } from "node:fs";
import { afterAll, beforeEach, afterEach, describe, expect, it } from "vitest";
import type { UsageStore } from "@llm-accounting/core";
import { importAgentLogs } from "../src/index.js";
import { assistantLine, jsonl, summaryLine, syntheticLine, userLine } from "./fixtures/claude-lines.js";
import { accountingOn, agentCallRows, allRecords, freshSqlStores, logDir } from "./store-helpers.js";

const SHOP = "/Users/mira/code/shop-api";
const DOCS = "/Users/mira/code/docs.site";
const A1 = "5d1c8d6e-1111-4a4a-9a9a-000000000001";
const A2 = "5d1c8d6e-2222-4a4a-9a9a-000000000002";
const B1 = "5d1c8d6e-3333-4a4a-9a9a-000000000003";

const stores = freshSqlStores("agent-claude-");
afterAll(() => stores.remove());

/** Session A1: a streamed call (three lines, placeholder output first), a plain call, a prompt, a synthetic error. */
const a1Lines = [
  userLine(A1, SHOP, "2026-11-02T09:59:58.000Z", "Add pagination to /orders"),
  assistantLine({ session: A1, cwd: SHOP, messageId: "msg_01A", requestId: "req_011CA", at: "2026-11-02T10:00:00.000Z", final: false, usage: { input: 3, cacheRead: 12_000, write5m: 2_000, output: 1 } }),
  assistantLine({ session: A1, cwd: SHOP, messageId: "msg_01A", requestId: "req_011CA", at: "2026-11-02T10:00:01.000Z", final: false, usage: { input: 3, cacheRead: 12_000, write5m: 2_000, output: 1 } }),
  assistantLine({ session: A1, cwd: SHOP, messageId: "msg_01A", requestId: "req_011CA", at: "2026-11-02T10:00:03.000Z", usage: { input: 3, cacheRead: 12_000, write5m: 2_000, output: 420 } }),
  syntheticLine(A1, SHOP, "2026-11-02T10:00:05.000Z"),
  assistantLine({ session: A1, cwd: SHOP, messageId: "msg_01B", requestId: "req_011CB", at: "2026-11-02T10:01:00.000Z", usage: { input: 5, cacheRead: 14_000, write1h: 1_000, output: 80 } }),
];

describe.each(["sqlite", "postgresql"] as const)("Claude Code import (%s)", (backend) => {
  let store: UsageStore;
  let logs: ReturnType<typeof logDir>;
  beforeEach(async () => {
    store = await stores.open[backend]();
    logs = logDir("claude-config-");
  });
  afterEach(async () => {
    await store.close();
    logs.remove();
  });

  it("records each call once, with the final line's tokens, in our token semantics and prices", async () => {
    logs.write(`projects/-Users-mira-code-shop-api/${A1}.jsonl`, jsonl(a1Lines));
    const summary = await importAgentLogs("claude-code", accountingOn(store), { dir: logs.root });
    expect(summary).toMatchObject({ files: 1, filesRead: 1, inserted: 2, updated: 0, corruptLines: 0 });
    const [a, b] = await allRecords(store);
    expect(await allRecords(store)).toHaveLength(2);
    expect(a).toMatchObject({
      model: "claude-sonnet-4-5-20250929",
      provider: "anthropic",
      callerName: "claude-code",
      session: A1,
      project: SHOP,
      username: "mira",
      promptTokens: 3 + 12_000 + 2_000,
      cachedTokens: 12_000,
      cacheWriteTokens: 2_000,
      completionTokens: 420,
      reasoningTokens: 0,
      totalTokens: 14_003 + 420,
      costSource: "price",
      timestamp: new Date("2026-11-02T10:00:00.000Z"),
    });
    // 3 x $3 + 12,000 x $0.30 + 2,000 x $3.75 + 420 x $15 per million tokens.
    expect(a!.costNanos).toBe(3n * 3000n + 12_000n * 300n + 2_000n * 3750n + 420n * 15_000n);
    // A 1-hour cache write costs 2x input ($6/MTok), not the 5-minute $3.75.
    expect(b).toMatchObject({ promptTokens: 15_005, cacheWriteTokens: 1_000, cacheWrite1hTokens: 1_000, completionTokens: 80 });
    expect(b!.costNanos).toBe(5n * 3000n + 14_000n * 300n + 1_000n * 6000n + 80n * 15_000n);
    const keys = await agentCallRows(store);
    expect(keys.map((k) => [k.key, Number(k.cache_write_1h_tokens), k.subagent])).toEqual([
      ["claude:msg_01A:req_011CA", 0, null],
      ["claude:msg_01B:req_011CB", 1_000, null],
    ]);
  });

  it("keeps a costUSD the log states as the provider's cost, over our price", async () => {
    logs.write(`projects/-Users-mira-code-shop-api/${B1}.jsonl`, jsonl([assistantLine({ session: B1, cwd: SHOP, messageId: "msg_09", requestId: "req_09", at: "2026-11-03T10:00:00.000Z", usage: { input: 3, output: 9 }, costUSD: 0.0125 })]));
    await importAgentLogs("claude-code", accountingOn(store), { dir: logs.root });
    const [row] = await allRecords(store);
    expect([row!.costNanos, row!.costSource]).toEqual([12_500_000n, "provider"]);
  });

  it("counts a resumed session's copied calls and a sub-agent's calls once, under the session they belong to", async () => {
    const original = logs.write(`projects/-Users-mira-code-shop-api/${A1}.jsonl`, jsonl(a1Lines));
    // Two days later A1 is resumed as A2: the file opens with a summary and copies of A1's last call.
    const resumed = logs.write(
      `projects/-Users-mira-code-shop-api/${A2}.jsonl`,
      jsonl([
        summaryLine("Pagination for /orders"),
        assistantLine({ session: A2, cwd: SHOP, messageId: "msg_01B", requestId: "req_011CB", at: "2026-11-02T10:01:00.000Z", usage: { input: 5, cacheRead: 14_000, write1h: 1_000, output: 80 } }),
        userLine(A2, SHOP, "2026-11-04T08:00:00.000Z", "Now the tests"),
        assistantLine({ session: A2, cwd: SHOP, messageId: "msg_01C", requestId: "req_011CC", at: "2026-11-04T08:00:02.000Z", usage: { input: 9, cacheRead: 3_000, write5m: 500, output: 300 } }),
      ]),
    );
    // A sub-agent of A1 (2.1.2+ layout): its lines carry the parent's sessionId and its agentId.
    logs.write(
      `projects/-Users-mira-code-shop-api/${A1}/subagents/agent-a3f9.jsonl`,
      jsonl([assistantLine({ session: A1, cwd: SHOP, agentId: "a3f9", model: "claude-haiku-4-5-20251001", messageId: "msg_01S", requestId: "req_011CS", at: "2026-11-02T10:00:30.000Z", usage: { input: 100, output: 50 } })]),
    );
    // Another project, old flat sub-agent layout, a call logged without requestId and repeated.
    const noRequest = assistantLine({ session: B1, cwd: DOCS, messageId: "msg_01N", requestId: null, at: "2026-11-05T12:00:00.000Z", usage: { input: 20, output: 10 } });
    logs.write(`projects/-Users-mira-code-docs-site/${B1}.jsonl`, jsonl([noRequest, noRequest]));
    // Modification times say nothing here (restored from a backup: the resumed file looks older);
    // what the lines say decides which copy came first.
    utimesSync(original, new Date("2026-11-10T10:00:00Z"), new Date("2026-11-10T10:00:00Z"));
    utimesSync(resumed, new Date("2026-11-09T10:00:00Z"), new Date("2026-11-09T10:00:00Z"));

    const summary = await importAgentLogs("claude-code", accountingOn(store), { dir: logs.root });
    expect(summary).toMatchObject({ files: 4, inserted: 5 });
    const records = await allRecords(store);
    const byKey = new Map((await agentCallRows(store)).map((k) => [k.key, k]));
    expect(records.map((r) => [r.session, r.project, r.completionTokens]).sort()).toEqual(
      [
        [A1, SHOP, 420],
        [A1, SHOP, 80], // the copy in A2 is the same call: it stays A1's
        [A1, SHOP, 50], // the sub-agent's call, under its parent session
        [A2, SHOP, 300],
        [B1, DOCS, 10],
      ].sort(),
    );
    expect(byKey.get("claude:msg_01S:req_011CS")?.subagent).toBe("a3f9");
    expect(byKey.has("claude:msg_01N")).toBe(true);
    expect(records.every((r) => r.callerName === "claude-code")).toBe(true);
  });

  it("reads only what was appended, leaves a cut last line for the next run and then counts it once", async () => {
    const file = logs.write(`projects/p/${A1}.jsonl`, jsonl(a1Lines.slice(0, 3)));
    const accounting = accountingOn(store);
    // Run 1 sees only the placeholder lines of msg_01A (output 1): it records that much.
    expect(await importAgentLogs("claude-code", accounting, { dir: logs.root })).toMatchObject({ inserted: 1, updated: 0 });
    // The final line of msg_01A arrives, then msg_01B is being written: cut mid-line.
    const cut = a1Lines[5]!;
    appendFileSync(file, `${a1Lines[3]}\n${cut.slice(0, 200)}`);
    expect(await importAgentLogs("claude-code", accounting, { dir: logs.root })).toMatchObject({ filesRead: 1, inserted: 0, updated: 1, corruptLines: 0 });
    expect((await allRecords(store)).map((r) => r.completionTokens)).toEqual([420]);
    // Nothing changed: a stat, no read, nothing written, nothing priced (a CLI never loads the catalog).
    let pricings = 0;
    const beforePricing = async () => void pricings++;
    expect(await importAgentLogs("claude-code", accounting, { dir: logs.root, beforePricing })).toMatchObject({ filesRead: 0, bytesRead: 0, inserted: 0, updated: 0 });
    expect(pricings).toBe(0);
    appendFileSync(file, `${cut.slice(200)}\n`);
    expect(await importAgentLogs("claude-code", accounting, { dir: logs.root, beforePricing })).toMatchObject({ filesRead: 1, inserted: 1, corruptLines: 0 });
    expect(pricings).toBe(1);
    expect((await allRecords(store)).map((r) => r.completionTokens)).toEqual([420, 80]);
    expect(await importAgentLogs("claude-code", accounting, { dir: logs.root })).toMatchObject({ filesRead: 0, inserted: 0 });
  });

  it("skips a corrupt line with a warning that names the file and line, and imports the rest", async () => {
    const lines = [...a1Lines];
    lines.splice(2, 0, '{"type":"assistant","message":{"usage":{"input_tokens":3, BROKEN');
    lines.splice(4, 0, "\u0000\u0001binary junk");
    const file = logs.write(`projects/p/${A1}.jsonl`, jsonl(lines));
    const warnings: string[] = [];
    const summary = await importAgentLogs("claude-code", accountingOn(store), { dir: logs.root, onWarning: (w) => warnings.push(w) });
    expect(summary).toMatchObject({ inserted: 2, corruptLines: 2 });
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:3: skipped, not valid JSON`)), `${file}:5: skipped, not a JSON object`]);
  });

  it("skips a call with impossible token counts (hostile or broken log) instead of failing every later run", async () => {
    const huge = assistantLine({ session: A1, cwd: SHOP, messageId: "msg_01H", requestId: "req_011CH", at: "2026-11-02T10:30:00.000Z", usage: { input: 3_000_000_000, output: 1 } });
    const file = logs.write(`projects/p/${A1}.jsonl`, jsonl([...a1Lines, huge]));
    const warnings: string[] = [];
    expect(await importAgentLogs("claude-code", accountingOn(store), { dir: logs.root, onWarning: (w) => warnings.push(w) })).toMatchObject({ inserted: 2 });
    expect(warnings).toEqual([`${file}: call claude:msg_01H:req_011CH skipped: implausible token counts (3000000000 in, 1 out)`]);
  });

  it("stops at a chunk boundary when its signal aborts, and the next run goes on from there", async () => {
    const lines = Array.from({ length: 3_000 }, (_, i) =>
      assistantLine({ session: A1, cwd: SHOP, messageId: `msg_02${i}`, requestId: `req_02${i}`, at: "2026-11-03T10:00:00.000Z", usage: { input: 1, output: 1 + i }, text: "x".repeat(1_000) }),
    );
    logs.write(`projects/p/${A1}.jsonl`, jsonl(lines));
    const stop = new AbortController();
    const accounting = accountingOn(store);
    // The first batch is being priced when the user presses Ctrl-C.
    const first = await importAgentLogs("claude-code", accounting, { dir: logs.root, batchSize: 100, signal: stop.signal, beforePricing: async () => stop.abort() });
    expect(first.inserted).toBeGreaterThan(0);
    expect(first.inserted).toBeLessThan(3_000);
    const rest = await importAgentLogs("claude-code", accounting, { dir: logs.root });
    expect(first.inserted + rest.inserted).toBe(3_000);
    expect(first.bytesRead + rest.bytesRead).toBe(Buffer.byteLength(jsonl(lines)));
    expect((await allRecords(store)).map((r) => r.completionTokens)).toEqual(lines.map((_, i) => 1 + i));
  });

  it("reads a replaced file again from the start without counting its calls twice", async () => {
    const file = logs.write(`projects/p/${A1}.jsonl`, jsonl(a1Lines));
    const accounting = accountingOn(store);
    await importAgentLogs("claude-code", accounting, { dir: logs.root });
    // Rewritten (e.g. restored from a backup) with a different head and one more call.
    writeFileSync(file, jsonl([summaryLine("restored"), ...a1Lines, assistantLine({ session: A1, cwd: SHOP, messageId: "msg_01D", requestId: "req_011CD", at: "2026-11-02T11:00:00.000Z", usage: { input: 1, output: 1 } })]));
    expect(await importAgentLogs("claude-code", accounting, { dir: logs.root })).toMatchObject({ filesRead: 1, inserted: 1, updated: 0 });
    expect(await allRecords(store)).toHaveLength(3);
  });
});
