#!/usr/bin/env node
// One of N processes racing for one budget: tries `attempts` guarded trackUsage calls against the
// store and prints {admitted, denied, errors, elapsedMs} as JSON. Used by the overshoot test and `pnpm bench`.
//   node race-worker.mjs <sqlite FILE | postgresql URL | csv DIR> <attempts> <start-at epoch ms> [tags JSON]
import { Accounting, QuotaExceededError } from "@llm-accounting/core";
import { PostgresqlStore, SqliteStore } from "@llm-accounting/storage-prisma";

const [backend, location, attemptsText, startAtText, tagsText] = process.argv.slice(2);
const tags = tagsText ? JSON.parse(tagsText) : undefined;
const openStore = async () => {
  if (backend === "postgresql") return new PostgresqlStore({ connectionString: location, maxConnections: 2 });
  if (backend === "csv") return new (await import("@llm-accounting/storage-csv")).CsvStore({ dir: location });
  return new SqliteStore({ file: location });
};
const store = await openStore();
const accounting = new Accounting({ store, appName: `worker-${process.pid}` });
await accounting.open();
// Start together, so the processes really contend.
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAtText) - Date.now())));
const counts = { admitted: 0, denied: 0, errors: 0, messages: [], elapsedMs: 0 };
const began = Date.now();
for (let i = 0; i < Number(attemptsText); i++) {
  try {
    await accounting.trackUsage({ model: "race", promptTokens: 10, completionTokens: 5, cost: 0.001, tags }, { enforceLimits: true });
    counts.admitted++;
  } catch (error) {
    if (error instanceof QuotaExceededError) counts.denied++;
    else {
      counts.errors++;
      if (counts.messages.length < 3) counts.messages.push(String(error?.message ?? error));
    }
  }
}
counts.elapsedMs = Date.now() - began;
await accounting.close();
console.log(JSON.stringify(counts));
