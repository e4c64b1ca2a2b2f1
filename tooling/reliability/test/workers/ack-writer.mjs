#!/usr/bin/env node
// Writes usage records for ever and prints "ack <session>" for each one only after the call that
// stored it resolved: what the application was told is stored. The test kills it with SIGKILL at a
// random moment and checks every acknowledged record is there, once.
//   node ack-writer.mjs <backend> <location> <single|batch|buffer>
import { Accounting, UsageBuffer } from "@llm-accounting/core";
import { openStore } from "./open-store.mjs";

const [backend, location, mode] = process.argv.slice(2);
const accounting = new Accounting({ store: openStore(backend, location), appName: "ack-writer" });
await accounting.open();
const tag = `p${process.pid}`;
let next = 0;
const input = () => ({ model: "kill9", promptTokens: 3, completionTokens: 2, cost: 0.000001, session: `${tag}-${next++}` });
const ack = (sessions) => process.stdout.write(sessions.map((s) => `ack ${s}\n`).join(""));

process.stdout.write("ready\n");
if (mode === "single") {
  for (;;) {
    const record = input();
    await accounting.trackUsage(record);
    ack([record.session]);
  }
} else if (mode === "batch") {
  for (;;) {
    const records = Array.from({ length: 25 }, input);
    await accounting.trackUsageBatch(records);
    ack(records.map((r) => r.session));
  }
} else if (mode === "buffer") {
  // A refused record would make flush() resolve without storing it: say so, so the test fails.
  const onError = (event) => process.stderr.write(`buffer ${event.stage}: ${event.error?.message ?? event.error}\n`);
  const buffer = new UsageBuffer(accounting, { batchSize: 200, flushIntervalMs: 20, onError });
  for (;;) {
    const records = Array.from({ length: 100 }, input);
    for (const record of records) await buffer.trackUsage(record);
    // flush() resolves once everything queued before it is stored.
    await buffer.flush();
    ack(records.map((r) => r.session));
  }
} else {
  throw new Error(`unknown mode ${mode}`);
}
