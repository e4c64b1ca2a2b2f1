import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, type CliIo } from "../src/index.js";
import { cli } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-cli-agents-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CWD = "/home/mira/code/shop-api";
const SESSION = "6b0e2d7c-0000-4c1d-8a11-00000000a001";

/** An assistant line as Claude Code 2.1 writes it (one content block of a response). */
function claudeLine(messageId: string, requestId: string, at: string, output: number): string {
  return JSON.stringify({
    parentUuid: null,
    isSidechain: false,
    userType: "external",
    cwd: CWD,
    sessionId: SESSION,
    version: "2.1.231",
    gitBranch: "main",
    message: {
      model: "claude-sonnet-4-5-20250929",
      id: messageId,
      type: "message",
      role: "assistant",
      content: [{ type: "text", text: "done" }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 1_000, output_tokens: output, service_tier: "standard" },
    },
    requestId,
    type: "assistant",
    uuid: `u-${messageId}`,
    timestamp: at,
  });
}

function claudeConfig(name: string): { config: string; log: string } {
  const config = join(dir, name);
  const project = join(config, "projects", "-home-mira-code-shop-api");
  mkdirSync(project, { recursive: true });
  const log = join(project, `${SESSION}.jsonl`);
  writeFileSync(log, `${claudeLine("msg_1", "req_1", "2026-11-02T10:00:00.000Z", 50)}\n${claudeLine("msg_1", "req_1", "2026-11-02T10:00:00.000Z", 50)}\n`);
  return { config, log };
}

describe("import --from-claude-code / --from-codex", () => {
  it("imports a config directory once, reports what it did, and stats shows the agent by caller, project and session", async () => {
    const { config } = claudeConfig("claude-a");
    const db = ["--db-file", join(dir, "a.sqlite")];
    const first = await cli([...db, "import", "--from-claude-code", config]);
    expect(first.stderr).toBe("");
    expect(first.stdout).toBe("Imported from Claude Code logs: 1 new calls, 0 updated; 1 of 1 files read (0.0 MB)\n");
    expect(first.code).toBe(0);
    const again = await cli([...db, "import", "--from-claude-code", join(config, "projects"), "--format", "json"]);
    expect(JSON.parse(again.stdout)).toEqual({ source: "claude-code", files: 1, filesRead: 0, bytesRead: 0, inserted: 0, updated: 0, corruptLines: 0, unpricedModels: [] });
    const stats = await cli([...db, "stats", "--since", "2026-11-01", "--until", "2026-11-30", "--by", "caller", "--format", "json"]);
    expect(stats.code).toBe(0);
    const report = JSON.parse(stats.stdout);
    expect(report.breakdown.by).toBe("callerName");
    expect(report.breakdown.groups.map((g: { key: string; requests: number }) => [g.key, g.requests])).toEqual([["claude-code", 1]]);
    for (const [by, key] of [["project", CWD], ["session", SESSION]]) {
      const run = await cli([...db, "stats", "--since", "2026-11-01", "--until", "2026-11-30", "--by", by!, "--format", "json"]);
      expect(JSON.parse(run.stdout).breakdown.groups.map((g: { key: string }) => g.key)).toEqual([key]);
    }
  });

  it("finds the logs from CLAUDE_CONFIG_DIR, and says where it looked when there are none", async () => {
    const { config } = claudeConfig("claude-env");
    const db = ["--db-file", join(dir, "env.sqlite")];
    expect((await cli([...db, "import", "--from-claude-code"], { env: { CLAUDE_CONFIG_DIR: config } })).stdout).toMatch(/^Imported from Claude Code logs: 1 new calls/);
    const none = await cli([...db, "import", "--from-codex"], { env: { HOME: join(dir, "empty-home") } });
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(`Error: --from-codex found no Codex logs (looked in ${join(dir, "empty-home", ".codex")}/sessions); give --from-codex DIR (or set CODEX_HOME)\n`);
  });

  it("refuses the csv backend with a clear error, and --watch without an agent source", async () => {
    const { config } = claudeConfig("claude-csv");
    const csv = await cli(["--db-backend", "csv", "--csv-data-dir", join(dir, "csv"), "import", "--from-claude-code", config]);
    expect(csv.code).toBe(1);
    expect(csv.stderr).toMatch(/^Error: .*cannot record agent log imports .*use the sqlite or postgresql backend\n$/);
    const watch = await cli(["--db-file", join(dir, "w.sqlite"), "import", "--from-sqlite", "x.db", "--watch"]);
    expect(watch.code).toBe(2);
    expect(watch.stderr).toContain("--watch applies to --from-claude-code and --from-codex only");
    const two = await cli(["--db-file", join(dir, "w.sqlite"), "import", "--from-claude-code", config, "--from-codex", config]);
    expect(two.code).toBe(2);
  });

  it("--watch imports lines as the agent appends them and stops cleanly when interrupted", async () => {
    const { config, log } = claudeConfig("claude-watch");
    const file = join(dir, "watch.sqlite");
    const stop = new AbortController();
    let stdout = "";
    let stderr = "";
    const io: CliIo = {
      stdout: { write: (t: string) => (stdout += t), isTTY: false },
      stderr: { write: (t: string) => (stderr += t), isTTY: false },
      readLine: async () => null,
      env: {},
      now: () => new Date(),
      untilInterrupted: () => stop.signal,
    };
    const running = runCli(["--db-file", file, "import", "--from-claude-code", config, "--watch"], io);
    const waitFor = async (what: () => boolean) => {
      for (let i = 0; i < 400 && !what(); i++) await new Promise((r) => setTimeout(r, 25));
      expect(what()).toBe(true);
    };
    await waitFor(() => stdout.includes("1 new calls"));
    appendFileSync(log, `${claudeLine("msg_2", "req_2", "2026-11-02T10:05:00.000Z", 70)}\n`);
    await waitFor(() => /Imported from Claude Code logs: 1 new calls.*\n.*Imported from Claude Code logs: 1 new calls/s.test(stdout));
    stop.abort();
    expect(await running).toBe(0);
    expect(stderr).toBe("");
    expect(stdout.trimEnd().split("\n").at(-1)).toBe("Stopped watching Claude Code logs");
    const tail = await cli(["--db-file", file, "tail", "--format", "json"]);
    expect(JSON.parse(tail.stdout).map((r: { completionTokens: number }) => r.completionTokens)).toEqual([70, 50]);

    // Watching again over unchanged logs: the first run still says what it found.
    stdout = "";
    const restop = new AbortController();
    const again = runCli(["--db-file", file, "import", "--from-claude-code", config, "--watch"], { ...io, untilInterrupted: () => restop.signal });
    await waitFor(() => stdout.includes("\n"));
    restop.abort();
    expect(await again).toBe(0);
    expect(stdout).toBe("Imported from Claude Code logs: 0 new calls, 0 updated; 1 files unchanged\nStopped watching Claude Code logs\n");
  });
});
