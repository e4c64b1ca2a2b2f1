// `cli` step of `pnpm bench`: wall time of one-shot `llm-accounting` commands, each a fresh Node
// process on a SQLite file, against `node -e 0` (the floor no CLI can go under). Runs are
// interleaved (node, track, check, ... node, track, ...) so a busy machine slows all alike, and
// each figure is the median of `runs`; `over_node_ms` is what the command costs beyond Node itself.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { percentile, round } from "./measure.mjs";

const bin = fileURLToPath(new URL("../../packages/cli/bin/llm-accounting.js", import.meta.url));

/** Wall ms of one process run; throws when it fails, so a broken command is not timed as fast. */
function timed(args, cwd) {
  const t0 = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { cwd, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (run.status !== 0 && run.status !== 3) throw new Error(`${args.join(" ")} exited ${run.status}: ${run.stderr}`);
  return ms;
}

/** Median ms per command and its excess over `node -e 0`; `dir` holds the SQLite file. */
export async function benchCli(dir, runs) {
  const db = ["--db-file", join(dir, "cli.sqlite")];
  const commands = {
    node: ["-e", "0"],
    track: [bin, ...db, "track", "--model", "gpt-4o", "--prompt-tokens", "1200", "--completion-tokens", "350", "--cost", "0.0065"],
    track_priced: [bin, ...db, "track", "--model", "gpt-4o", "--prompt-tokens", "1200", "--completion-tokens", "350"],
    check: [bin, ...db, "check", "--model", "gpt-4o", "--cost", "0.02"],
    tail: [bin, ...db, "tail", "-n", "1"],
    stats: [bin, ...db, "stats", "--daily"],
    help: [bin, "--help"],
  };
  // The store exists and has a limit, so check sums a window as it would in use.
  timed([bin, ...db, "limits", "set", "--scope", "GLOBAL", "--limit-type", "cost", "--max-value", "100", "--interval-unit", "day", "--interval-value", "1"], dir);
  const samples = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
  for (let i = 0; i < runs; i++) for (const [name, args] of Object.entries(commands)) samples[name].push(timed(args, dir));
  const median = (name) => percentile([...samples[name]].sort((a, b) => a - b), 50);
  const node = median("node");
  const figures = { runs, node_ms: round(node) };
  for (const name of Object.keys(commands)) {
    if (name === "node") continue;
    figures[name] = { ms: round(median(name)), over_node_ms: round(median(name) - node) };
  }
  return figures;
}
