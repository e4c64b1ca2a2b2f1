// Child process of long-operations.test.ts: another application tracking calls in a loop, with
// default store options, while the test runs a long CLI operation on the same store.
//   node tracker-child.mjs sqlite <file> | postgresql <url>
// Prints "ok <id> <epoch ms when acknowledged>" per stored call, "err <message>" per failed one;
// stops after the line it is working on once its stdin ends.
import { Accounting } from "@llm-accounting/core";
import { PostgresqlStore, SqliteStore } from "@llm-accounting/storage-prisma";

const [backend, location] = process.argv.slice(2);
const store = backend === "sqlite" ? new SqliteStore({ file: location }) : new PostgresqlStore({ connectionString: location });
const accounting = new Accounting({ store });
let stopping = false;
process.stdin.on("data", () => undefined);
process.stdin.on("end", () => (stopping = true));

for (let i = 0; !stopping; i++) {
  try {
    const record = await accounting.trackUsage({ model: "tracker", promptTokens: 10, completionTokens: 5, cost: 0.001, username: "child", timestamp: new Date(Date.UTC(2026, 10, 3, 12, 0, i % 60)) });
    process.stdout.write(`ok ${record.id} ${Date.now()}\n`);
  } catch (error) {
    process.stdout.write(`err ${String(error.message).split("\n")[0]}\n`);
  }
  // A steady trickle, not a busy loop: the machine is shared.
  await new Promise((resolve) => setTimeout(resolve, 5));
}
await accounting.close();
