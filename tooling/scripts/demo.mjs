#!/usr/bin/env node
// `pnpm demo`: the main job on the embedded SQLite default, as a new user would run it by hand.
// Records a few sample calls with the CLI into data/accounting.sqlite, then prints stats and tail.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../../packages/cli/bin/llm-accounting.js", import.meta.url));
const steps = [
  ["track", "--model", "gpt-4o", "--prompt-tokens", "1200", "--completion-tokens", "350", "--cost", "0.0065", "--execution-time", "1.8", "--caller-name", "demo-chat", "--username", "alice", "--project", "demo"],
  // No --cost: priced from the bundled catalog (cache reads at the cache rate, counted once).
  ["track", "--model", "claude-sonnet-4-5", "--provider", "anthropic", "--prompt-tokens", "900", "--completion-tokens", "420", "--cached-tokens", "600", "--execution-time", "2.4", "--caller-name", "demo-agent", "--username", "bob", "--project", "demo"],
  ["track", "--model", "gpt-4o-mini", "--prompt-tokens", "3000", "--completion-tokens", "150", "--cost", "0.00054", "--execution-time", "0.6", "--caller-name", "demo-batch", "--username", "alice", "--project", "demo"],
  ["stats", "--daily"],
  ["tail", "-n", "5"],
];
for (const args of steps) {
  console.log(`\n$ llm-accounting ${args.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(" ")}`);
  // The demo is about the SQLite default, even where the environment names a PostgreSQL server.
  const result = spawnSync(process.execPath, [cli, ...args], { stdio: "inherit", env: { ...process.env, POSTGRESQL_CONNECTION_STRING: "" } });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
console.log("\nThe data is in data/accounting.sqlite. Try: pnpm -s llm-accounting stats --monthly --format json");
