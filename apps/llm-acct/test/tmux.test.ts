import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Accounting } from "@llm-accounting/core";
import { SqliteStore } from "@llm-accounting/storage-prisma";

// The built app in a real terminal (tmux, 80x24): keys in, screen out, exit restores the shell.
// CI=true is set on purpose: CI shells set it, and the dashboard must still draw live there.
const bin = fileURLToPath(new URL("../bin/llm-acct.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "llm-acct-tmux-"));
const file = join(dir, "usage.sqlite");
const session = `llm-acct-e2e-${process.pid}`;
const tmux = (...args: string[]) => execFileSync("tmux", args, { encoding: "utf8" });
const screen = () => tmux("capture-pane", "-p", "-t", session);

// Generous waits: a loaded 2-core CI machine can take several seconds to start node, Prisma and Ink.
// They only delay a failure; a passing run returns as soon as the text shows.
async function waitFor(text: string | RegExp, timeoutMs = 45_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    last = screen();
    if (typeof text === "string" ? last.includes(text) : text.test(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`screen never showed ${String(text)}; last screen:\n${last}`);
}

let accounting: Accounting;
beforeAll(async () => {
  accounting = new Accounting({ store: new SqliteStore({ file }), userName: "ann" });
  await accounting.trackUsage({ model: "gpt-4o", promptTokens: 1000, completionTokens: 234, cost: 1.5, project: "web" });
  await accounting.trackUsage({ model: "claude-sonnet", promptTokens: 10, completionTokens: 5, cost: 0.25, project: "api" });
  await accounting.setUsageLimit({ scope: "USER", limitType: "cost", maxValue: 2, intervalUnit: "day", intervalValue: 1, model: null, username: "ann", callerName: null, projectName: null });
  tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24", `CI=true NO_COLOR=1 ${process.execPath} ${bin} --db-file ${file}; echo "exited with $?"; sleep 60`);
});
afterAll(async () => {
  try {
    tmux("kill-session", "-t", session);
  } catch {
    // already gone
  }
  await accounting.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("llm-acct in a terminal", () => {
  it("opens on the overview with the seeded numbers", async () => {
    // Wait for the numbers themselves: the header is drawn while the first query still runs.
    const shown = await waitFor(/llm-acct · overview[\s\S]*Today\s+2\s+1,249\s+\$1\.7500/);
    expect(shown.split("\n").every((line) => line.length <= 80)).toBe(true);
    // Each frame is drawn where the first was: one header, on the first row (Ink 6.8 unpatched drew
    // later frames a row lower, under a stale "--:--:--" header of the first frame).
    expect(shown.split("\n")[0]).toMatch(/^llm-acct · overview · \d\d:\d\d:\d\d UTC/);
    expect(shown.match(/llm-acct ·/g)).toHaveLength(1);
  });

  it("switches to the breakdown and limits views", async () => {
    tmux("send-keys", "-t", session, "b");
    await waitFor(/breakdown by model[\s\S]*gpt-4o\s+1\s+1,234\s+\$1\.5000/);
    tmux("send-keys", "-t", session, "l");
    await waitFor(/user:ann\s+cost\/1d\s+[█░]+ NEAR\s+\$1\.75 \/ \$2\.00/);
  });

  it("says the terminal is too small below 60x16, and lays out again when it grows", async () => {
    tmux("resize-window", "-t", session, "-x", "50", "-y", "20");
    await waitFor("terminal too small (needs 60x16, have 50x20)");
    tmux("resize-window", "-t", session, "-x", "80", "-y", "24");
    const shown = await waitFor(/user:ann\s+cost\/1d/);
    expect(shown).not.toContain("terminal too small");
  });

  // How soon is a matter of the refresh interval (DEFAULT_REFRESH_MS), not of this machine's load.
  it("shows a row written by another process on the live view without a key press", async () => {
    tmux("send-keys", "-t", session, "v");
    await waitFor("Time (UTC)");
    expect(screen()).not.toContain("fresh-model");
    await accounting.trackUsage({ model: "fresh-model", promptTokens: 7, cost: 0.01 });
    await waitFor("fresh-model");
  });

  it("quits with q and restores the terminal", async () => {
    tmux("send-keys", "-t", session, "q");
    const after = await waitFor("exited with 0");
    expect(after).not.toContain("llm-acct ·");
  });
});
