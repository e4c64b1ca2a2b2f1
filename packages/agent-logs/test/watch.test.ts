import { appendFileSync } from "node:fs";
import { afterAll, expect, it } from "vitest";
import { watchAgentLogs, type AgentImportSummary } from "../src/index.js";
import { jsonl } from "./fixtures/claude-lines.js";
import { sessionMeta, tokenCount, turnContext } from "./fixtures/codex-lines.js";
import { accountingOn, allRecords, freshSqlStores, logDir } from "./store-helpers.js";

const stores = freshSqlStores("agent-watch-");
afterAll(() => stores.remove());

/**
 * Polls until `ready` holds (or fails after ~30 s): the watch reacts to the file system, not to
 * the test. The bound is generous because the whole suite shares 2 cores in CI, where a first
 * import (opening and migrating a new SQLite file) once took more than 10 s.
 */
async function until(ready: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (await ready()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  expect(await ready()).toBe(true);
}

it("watches directories created after it started (a new day's Codex sessions) and stops when aborted", async () => {
  const store = await stores.open.sqlite();
  const logs = logDir("codex-watch-");
  const cwd = "/home/mira/code/api";
  const usage = { input: 1_000, cached: 0, output: 10, reasoning: 0 };
  logs.write("sessions/2026/11/03/rollout-a.jsonl", jsonl([sessionMeta("s-a", "2026-11-03T09:00:00Z", cwd), turnContext("2026-11-03T09:00:00Z", cwd, "gpt-5.3-codex"), tokenCount("2026-11-03T09:00:05Z", usage)]));
  const runs: AgentImportSummary[] = [];
  const stop = new AbortController();
  const watching = watchAgentLogs("codex", accountingOn(store), { dir: logs.root, signal: stop.signal, debounceMs: 50, onImport: (s) => void runs.push(s), onError: (e) => { throw e; } });
  await until(() => runs.length === 1);
  logs.write("sessions/2026/11/04/rollout-b.jsonl", jsonl([sessionMeta("s-b", "2026-11-04T09:00:00Z", cwd), turnContext("2026-11-04T09:00:00Z", cwd, "gpt-5.3-codex"), tokenCount("2026-11-04T09:00:05Z", usage)]));
  await until(async () => (await allRecords(store)).length === 2);
  // An append inside the new directory: seen only if that directory is watched now.
  appendFileSync(logs.path("sessions/2026/11/04/rollout-b.jsonl"), jsonl([tokenCount("2026-11-04T09:01:00Z", { ...usage, input: 2_000, output: 20 }, usage)]));
  await until(async () => (await allRecords(store)).length === 3);
  stop.abort();
  await watching;
  expect((await allRecords(store)).map((r) => r.session)).toEqual(["s-a", "s-b", "s-b"]);
  await store.close();
  logs.remove();
});
