// One of the processes racing for a budget of 100 rows: `node guard-worker.mjs <dir> <attempts> <start-at ms>`.
import { CsvStore } from "@llm-accounting/storage-csv";

const [dir, attempts, startAt] = process.argv.slice(2);
const store = new CsvStore({ dir });
await store.open();
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
let admitted = 0;
for (let i = 0; i < Number(attempts); i++) {
  const { result } = await store.guardedWrite([1], () => new Date(), (now) => ({
    queries: [{ filter: {}, start: new Date(0), end: new Date("9999-01-01") }],
    decide: (usage) =>
      usage[0].requests < 100
        ? { result: true, write: { kind: "usage", record: { timestamp: now, model: "race", promptTokens: 0, completionTokens: 0, totalTokens: 0, localPromptTokens: 0, localCompletionTokens: 0, localTotalTokens: 0, cachedTokens: 0, reasoningTokens: 0, costNanos: 0n, executionTime: 0, callerName: null, username: null, project: null, session: null } } }
        : { result: false, write: { kind: "none" } },
  }));
  if (result) admitted++;
}
console.log(JSON.stringify({ admitted }));
