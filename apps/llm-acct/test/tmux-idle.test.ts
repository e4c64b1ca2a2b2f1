import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Accounting } from "@llm-accounting/core";
import { SqliteStore } from "@llm-accounting/storage-prisma";

// The built app idle in a real terminal (tmux, 80x24) on an unchanged 2-row store: what it writes
// to the terminal (tmux pipe-pane) and the CPU time it uses (/proc/<pid>/stat) over 10 s. A render
// loop writes hundreds of KB and uses a whole core; a correct app repaints the clock once a second.
const bin = fileURLToPath(new URL("../bin/llm-acct.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "llm-acct-tmux-idle-"));
const file = join(dir, "usage.sqlite");
const captured = join(dir, "pane.out");
const session = `llm-acct-idle-${process.pid}`;
const tmux = (...args: string[]) => execFileSync("tmux", args, { encoding: "utf8" });
const screen = () => tmux("capture-pane", "-p", "-t", session);
const TICKS_PER_S = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
const cpuSeconds = (pid: number) => {
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(text: RegExp, timeoutMs = 45_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    last = screen();
    if (text.test(last)) return last;
    await sleep(100);
  }
  throw new Error(`screen never showed ${String(text)}; last screen:\n${last}`);
}

beforeAll(async () => {
  const accounting = new Accounting({ store: new SqliteStore({ file }), userName: "ann" });
  await accounting.trackUsage({ model: "gpt-4o", promptTokens: 1000, completionTokens: 234, cost: 1.5 });
  await accounting.trackUsage({ model: "claude-sonnet", promptTokens: 10, completionTokens: 5, cost: 0.25 });
  await accounting.close();
  // exec: the pane's process is the app itself, so its pid is the one to measure.
  tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24", `exec env CI=true NO_COLOR=1 ${process.execPath} ${bin} --db-file ${file}`);
});
afterAll(() => {
  try {
    tmux("kill-session", "-t", session);
  } catch {
    // already gone
  }
  rmSync(dir, { recursive: true, force: true });
});

describe("llm-acct idle in a terminal", () => {
  it("uses little CPU and writes little over 10 s of idle, and never clears the screen", { timeout: 120_000 }, async () => {
    await waitFor(/llm-acct · overview[\s\S]*Today\s+2\s+1,249\s+\$1\.7500/);
    await sleep(1500);
    const pid = Number(tmux("display-message", "-p", "-t", session, "#{pane_pid}").trim());
    tmux("pipe-pane", "-o", "-t", session, `cat > ${captured}`);
    const cpu0 = cpuSeconds(pid);
    const t0 = Date.now();
    await sleep(10_000);
    const cpu = cpuSeconds(pid) - cpu0;
    const elapsed = (Date.now() - t0) / 1000;
    tmux("pipe-pane", "-t", session);
    await sleep(200);
    const bytes = statSync(captured).size;
    const output = readFileSync(captured, "latin1");
    // Generous bounds for a loaded machine: a loop uses ~100% and writes ~200 KB in these 10 s.
    expect(cpu / elapsed).toBeLessThan(0.3);
    expect(bytes).toBeLessThan(20_000);
    expect(output).not.toContain("\x1b[2J");
    expect(screen()).toMatch(/Today\s+2\s+1,249\s+\$1\.7500/);
  });
});
