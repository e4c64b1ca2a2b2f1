#!/usr/bin/env node
// Guarded writes for ever against a PostgreSQL URL; prints "ack <session>" for each one only after
// trackUsage(..., { enforceLimits: true }) resolved, and "down" once the server is gone.
//   node guarded-writer.mjs <postgresql URL>
import { Accounting } from "@llm-accounting/core";
import { PostgresqlStore } from "@llm-accounting/storage-prisma";

const [url] = process.argv.slice(2);
const accounting = new Accounting({ store: new PostgresqlStore({ connectionString: url, maxConnections: 2, connectTimeoutMs: 1000 }) });
await accounting.open();
const tag = `p${process.pid}`;
process.stdout.write("ready\n");
for (let next = 0; ; next++) {
  const session = `${tag}-${next}`;
  try {
    await accounting.trackUsage({ model: "crash", promptTokens: 3, completionTokens: 2, cost: 0.000001, session }, { enforceLimits: true });
    process.stdout.write(`ack ${session}\n`);
  } catch {
    process.stdout.write("down\n");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
