import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Runs the BUILT CLI (build it first: `npx tsc -b`) on a real SQLite file whose every name field holds
// terminal escape sequences, and checks that no output path lets a control character through raw.
const BIN = fileURLToPath(new URL("../bin/llm-accounting.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "llm-term-"));
const DB = ["--db-file", join(dir, "hostile.sqlite")];
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Colour, window title, CR/BS overwrite, DEL, 8-bit CSI (clear screen), bidi override and isolate, newline. */
const HOSTILE = "\x1b[31m\x1b]0;pwned\x07\r\b\x7f\x9b2J\u202e\u2066\n\u2028end";
const name = (field: string) => `${field}-${HOSTILE}`;
const MODEL = name("model");
const UNPRICED = name("unpriced");
const USER = name("user");
const CALLER = name("caller");
const PROJECT = name("project");
const SESSION = name("session");
/** Every character a terminal acts on, except the line feeds the CLI writes itself. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

interface Run {
  readonly args: string[];
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}
const runs: Run[] = [];

/** Runs the built CLI on the hostile store and keeps the run for the checks below. */
function cli(...args: string[]): Run {
  const result = spawnSync(process.execPath, [BIN, ...DB, ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "", POSTGRESQL_CONNECTION_STRING: "", USER: USER } });
  const run = { args, code: result.status, stdout: result.stdout, stderr: result.stderr };
  runs.push(run);
  return run;
}

const names = ["--username", USER, "--caller-name", CALLER, "--project", PROJECT, "--session", SESSION];
const limit = (scope: string, ...selector: string[]) => ["limits", "set", "--scope", scope, "--limit-type", "requests", "--max-value", "100", "--interval-unit", "day", "--interval-value", "1", ...selector];

beforeAll(() => {
  // Writes, each an output path of its own (confirmations, warnings, JSON echoes).
  const writes = [
    ["projects", "add", PROJECT],
    ["projects", "add", name("renamed")],
    ["projects", "update", name("renamed"), name("renamed-again")],
    ["users", "add", USER, "--ou-name", name("ou"), "--email", name("email")],
    ["users", "update", USER, "--ou-name", name("ou2")],
    ["users", "add", name("other")],
    ["users", "deactivate", name("other")],
    ["users", "reactivate", name("other")],
    ["prices", "set", "--model", MODEL, "--input", "1", "--output", "2", "--note", name("note")],
    ["prices", "set", "--model", MODEL, "--input", "1", "--output", "2", "--note", name("note"), "--format", "json"],
    ["track", "--model", MODEL, ...names, "--prompt-tokens", "1000", "--completion-tokens", "10"],
    ["track", "--model", MODEL, ...names, "--prompt-tokens", "10", "--completion-tokens", "10", "--format", "json"],
    ["track", "--model", UNPRICED, ...names, "--prompt-tokens", "10"],
    ["track", "--model", UNPRICED, ...names, "--prompt-tokens", "10", "--format", "json"],
    ["track", "--model", MODEL, "--prompt-tokens", "5", "--cost", "0.01", "--provider", name("provider")],
    limit("GLOBAL"),
    limit("MODEL", "--model", MODEL),
    limit("USER", "--username", USER, "--format", "json"),
    limit("CALLER", "--caller-name", CALLER),
    limit("PROJECT", "--project-name", PROJECT),
    ["limits", "set", "--scope", "USER", "--username", USER, "--model", MODEL, "--limit-type", "requests", "--max-value", "0", "--interval-unit", "day", "--interval-value", "1"],
    ["log-event", "--app-name", name("app"), "--user-name", USER, "--model", MODEL, "--log-type", name("type"), "--prompt-text", name("prompt"), "--project", PROJECT, "--session", SESSION],
    ["log-event", "--app-name", name("app"), "--user-name", USER, "--model", MODEL, "--log-type", "response", "--response-text", name("response"), "--remote-completion-id", name("id")],
  ];
  for (const args of writes) expect(cli(...args), args.join(" ")).toMatchObject({ code: 0 });
}, 600_000); // about twenty built-CLI processes one after another: slow on a loaded machine

// Each case runs many built-CLI processes one after another: budgets for a loaded machine.
describe("names holding terminal escape sequences (built CLI, SQLite)", { timeout: 600_000 }, () => {
  it("reach no output raw: reads in every format", () => {
    const reads = [
      ["tail"], ["tail", "--format", "json"], ["tail", "--session", SESSION],
      ["stats", "--yearly"], ["stats", "--yearly", "--format", "json"], ["stats", "--yearly", "--session", SESSION],
      ...["model", "username", "callerName", "project", "session"].map((by) => ["stats", "--yearly", "--by", by]),
      ["limits", "list"], ["limits", "list", "--format", "json"], ["limits", "list", "--username", USER],
      ["prices", "list"], ["prices", "list", "--format", "json"],
      ["projects", "list"], ["projects", "list", "--format", "json"],
      ["users", "list"], ["users", "list", "--format", "table"], ["users", "list", "--format", "json"],
      ["audit"], ["audit", "--format", "json"], ["audit", "--session", SESSION],
      ["select"], ["select", "--format", "csv"], ["select", "--format", "json"], ["select", "--format", "ndjson"],
      ["select", "--query", "SELECT model, username, caller_name, project, session FROM accounting_entries", "--format", "csv"],
      ["reprice", "--start", "2000-01-01", "--end", "2100-01-01"], ["reprice", "--start", "2000-01-01", "--end", "2100-01-01", "--format", "json"],
      // The output layer's csv and ndjson (and the new tables) on every listing command.
      ...[["tail"], ["stats", "--yearly"], ["stats", "--yearly", "--by", "username"], ["limits", "list"], ["prices", "list"], ["projects", "list"], ["users", "list"], ["audit"], ["reprice", "--start", "2000-01-01", "--end", "2100-01-01"]].flatMap((command) =>
        ["csv", "ndjson", "table"].map((format) => [...command, "--format", format]),
      ),
    ];
    for (const args of reads) expect(cli(...args), args.join(" ")).toMatchObject({ code: 0 });
  });

  it("reach no output raw: denials, which quote the limit's names", () => {
    const call = ["--model", MODEL, "--username", USER, "--caller-name", CALLER, "--project", PROJECT];
    expect(cli("check", ...call)).toMatchObject({ code: 3, stdout: expect.stringContaining("Denied: ") });
    expect(cli("check", ...call, "--format", "json").code).toBe(3);
    expect(cli("check", "--model", UNPRICED, "--prompt-tokens", "5").code).toBe(0);
    expect(cli("track", ...call, "--prompt-tokens", "1", "--enforce-limits").code).toBe(3);
  });

  it("reach no output raw: error lines that quote input or stored names", () => {
    expect(cli("--enforce-project-names", "track", "--model", MODEL, "--project", name("unregistered")).code).toBe(1);
    expect(cli("--enforce-user-names", "track", "--model", MODEL, "--username", name("nobody")).code).toBe(1);
    expect(cli("projects", "delete", name("missing")).code).toBe(1);
    expect(cli("users", "deactivate", name("missing")).code).toBe(1);
    expect(cli("projects", "add", PROJECT).code).toBe(1);
    expect(cli("stats", "--by", name("column")).code).toBe(2);
    expect(cli("tail", `--${name("flag")}`).code).toBe(2);
    expect(cli("tail", "-n", name("count")).code).toBe(2);
    expect(cli("track", "--model", MODEL, "--timestamp", name("when")).code).toBe(2);
    expect(cli(name("command")).code).toBe(2);
  });

  it("reach no output raw: deletes and purge", () => {
    expect(cli("limits", "delete", "--id", "1").code).toBe(0);
    expect(cli("prices", "delete", "--id", "1").code).toBe(0);
    expect(cli("projects", "delete", name("renamed-again")).code).toBe(0);
    expect(cli("purge", "-y").code).toBe(0);
  });

  it("no run printed a raw control character, on stdout or stderr", () => {
    expect(runs.length).toBeGreaterThan(60);
    const leaks = runs.flatMap((run) => (["stdout", "stderr"] as const).filter((stream) => RAW_CONTROL.test(run[stream])).map((stream) => `${run.args.slice(0, 3).join(" ")} (${stream}): ${JSON.stringify(run[stream].slice(0, 200))}`));
    expect(leaks).toEqual([]);
  });

  it("shows the names escaped, and a newline in a name does not break a table row", () => {
    const tail = runs.find((r) => r.args.join(" ") === "tail")!;
    expect(tail.stdout).toContain("\\x1b[31m\\x1b]0;pwned\\x07\\x0d\\x08\\x7f\\x9b2J\\u202e\\u2066\\x0a\\u2028end");
    const tables = runs.filter((r) => r.stdout.includes("┏"));
    expect(tables.length).toBeGreaterThan(10);
    for (const run of tables) {
      // Each table: from its top rule to its bottom rule, every line as wide as the top rule.
      const tableLines = run.stdout.split("\n");
      tableLines.forEach((top, i) => {
        if (!top.startsWith("┏")) return;
        const end = tableLines.findIndex((l, j) => j > i && l.startsWith("└"));
        const body = tableLines.slice(i, end + 1);
        expect(body.filter((l) => l.length !== top.length || !/^[┏┃┡│└]/.test(l)), run.args.join(" ")).toEqual([]);
      });
    }
  });

  it("keeps JSON exact: the parsed value is the stored name, byte for byte", () => {
    const tail = runs.find((r) => r.args.join(" ") === "tail --format json")!;
    const records = JSON.parse(tail.stdout) as { model: string; username: string; callerName: string; project: string; session: string }[];
    expect(records.find((r) => r.model === MODEL && r.session !== null)).toMatchObject({ username: USER, callerName: CALLER, project: PROJECT, session: SESSION });
    const projects = runs.find((r) => r.args.join(" ") === "projects list --format json")!;
    expect(JSON.parse(projects.stdout)).toContain(PROJECT);
  });
});
