#!/usr/bin/env node
// A service under steady load: guarded trackUsage calls one after another, without pause, for
// `seconds`; prints {writes, errors} as JSON. Used by the check_quota_under_load step of `pnpm bench`.
//   node load-writer.mjs <sqlite FILE | postgresql URL> <seconds>
import { Accounting } from "@llm-accounting/core";
import { PostgresqlStore, SqliteStore } from "@llm-accounting/storage-prisma";
import { randomRequest, rng } from "./quota.mjs";

const [backend, location, secondsText] = process.argv.slice(2);
const store = backend === "postgresql" ? new PostgresqlStore({ connectionString: location }) : new SqliteStore({ file: location });
const accounting = new Accounting({ store });
await accounting.open();
const random = rng(11);
const until = Date.now() + Number(secondsText) * 1000;
const counts = { writes: 0, errors: 0 };
while (Date.now() < until) {
  const r = randomRequest(random);
  try {
    await accounting.trackUsage({ model: r.model, username: r.username, callerName: r.callerName, project: r.projectName, promptTokens: 500, completionTokens: 100, cost: 0.002, tags: r.tags }, { enforceLimits: true });
    counts.writes++;
  } catch {
    counts.errors++;
  }
}
await accounting.close();
console.log(JSON.stringify(counts));
