// One of the processes appending at once: `node append-worker.mjs <dir> <rows> <start-at ms>`.
import { CsvStore } from "@llm-accounting/storage-csv";

const [dir, rows, startAt] = process.argv.slice(2);
const store = new CsvStore({ dir });
await store.open();
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
const record = (i) => ({
  timestamp: new Date(), model: `worker-${process.pid}`, promptTokens: i, completionTokens: 1, totalTokens: i + 1, localPromptTokens: 0,
  localCompletionTokens: 0, localTotalTokens: 0, cachedTokens: 0, reasoningTokens: 0, costNanos: 1000n, executionTime: 0.5,
  callerName: "a,b", username: 'say "hi"', project: "line\nbreak", session: null,
});
// Small batches, so the two processes interleave many times (100 lock hand-overs each).
for (let i = 0; i < Number(rows); i += 100) await store.insertUsageBatch(Array.from({ length: 100 }, (_, k) => record(i + k)));
await store.close();
