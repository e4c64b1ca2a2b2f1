import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

// These run the built JavaScript through the committed launchers, as an installed user would.
const bins = {
  "llm-acct": fileURLToPath(new URL("../bin/llm-acct.js", import.meta.url)),
  "llm-accounting": fileURLToPath(new URL("../../../packages/cli/bin/llm-accounting.js", import.meta.url)),
};
const cwd = mkdtempSync(join(tmpdir(), "llm-acct-bin-"));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const run = (bin: keyof typeof bins, args: string[]) => {
  const result = spawnSync(process.execPath, [bins[bin], ...args], { cwd, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "", POSTGRESQL_CONNECTION_STRING: "" } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
};

describe.each(Object.keys(bins) as (keyof typeof bins)[])("%s (built)", (bin) => {
  it("prints its version", () => {
    expect(run(bin, ["--version"])).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^${bin} \\d+\\.\\d+\\.\\d+\\n$`)) });
  });

  it("tracks into the default data/accounting.sqlite of the working directory and tails it", () => {
    expect(run(bin, ["track", "--model", `from-${bin}`, "--prompt-tokens", "3", "--cost", "0.5"])).toMatchObject({ code: 0, stderr: "" });
    const tail = run(bin, ["--db-file", "data/accounting.sqlite", "tail", "--format", "json"]);
    expect(tail.code).toBe(0);
    expect(JSON.parse(tail.stdout)[0]).toMatchObject({ model: `from-${bin}`, promptTokens: 3, cost: 0.5 });
  });

  it("says in its help what running it with no command does (llm-acct only)", () => {
    const help = run(bin, ["--help"]);
    expect(help.code).toBe(0);
    if (bin === "llm-acct") expect(help.stdout).toContain("With no command, llm-acct opens the dashboard");
    else expect(help.stdout).not.toContain("dashboard");
  });

  it("exits 2 with one line and no stack trace on an unknown option", () => {
    const result = run(bin, ["tail", "--nope"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`Error: unknown option --nope (see "${bin} --help")\n`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("stops quietly when the reader of its output goes away (| head)", () => {
    // Far more output than a pipe holds, so the writer meets the closed pipe.
    const query = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000) SELECT x FROM c";
    expect(run(bin, ["--db-file", "data/pipe.sqlite", "track", "--model", "m"]).code).toBe(0);
    const script = `set -o pipefail; "$0" "$1" --db-file data/pipe.sqlite select --query "$2" --format csv | head -n 2`;
    const result = spawnSync("bash", ["-c", script, process.execPath, bins[bin], query], { cwd, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "", POSTGRESQL_CONNECTION_STRING: "" } });
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("x\n1\n");
    expect(result.status).toBe(0);
  });

  it("keeps its exit code when nobody reads its output", () => {
    expect(run(bin, ["--db-file", "data/closed.sqlite", "limits", "set", "--scope", "GLOBAL", "--limit-type", "requests", "--max-value", "0", "--interval-unit", "day", "--interval-value", "1"]).code).toBe(0);
    // `true` exits at once, long before node has started, so the denial is written into a closed pipe.
    const script = `set -o pipefail; "$0" "$1" --db-file data/closed.sqlite check --model m | true`;
    const result = spawnSync("bash", ["-c", script, process.execPath, bins[bin]], { cwd, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "", POSTGRESQL_CONNECTION_STRING: "" } });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(3);
  });

  it("exits 1 with one line on a bad database name", () => {
    const result = run(bin, ["--db-file", "x.csv", "tail"]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("the dashboard (built)", () => {
  it("refuses another application's SQLite file in one line and leaves it unchanged", () => {
    const file = join(cwd, "notes.db");
    // Written by better-sqlite3 as resolved from the storage package (the app does not depend on it).
    const seed = spawnSync(process.execPath, ["-e", `
      const db = new (require("better-sqlite3"))(${JSON.stringify(file)});
      db.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('x')"); db.close();`], { cwd: fileURLToPath(new URL("../../../packages/storage-prisma", import.meta.url)), encoding: "utf8" });
    expect(seed.stderr).toBe("");
    const before = createHash("sha256").update(readFileSync(file)).digest("hex");
    const result = run("llm-acct", ["--db-file", file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error: --db-file ".*notes\.db" is not an llm-accounting database \(it holds 1 other table and none of ours\); nothing was read or written\n$/);
    expect(createHash("sha256").update(readFileSync(file)).digest("hex")).toBe(before);
  });

  it("prints the piped summary in --currency at the rates file's dated rates, and refuses a currency without rates", () => {
    expect(run("llm-acct", ["--db-file", "data/money.sqlite", "track", "--model", "m", "--cost", "2"]).code).toBe(0);
    writeFileSync(join(cwd, "rates.csv"), "date,currency,rate\n2000-01-01,EUR,0.5\n");
    const summary = run("llm-acct", ["--db-file", "data/money.sqlite", "--currency", "EUR", "--rates", "rates.csv"]);
    expect(summary).toMatchObject({ code: 0, stderr: "" });
    expect(summary.stdout).toMatch(/amounts in EUR/);
    expect(summary.stdout).toMatch(/Today\s+1 request\s+0 tokens\s+€1\.0000/);
    const none = run("llm-acct", ["--db-file", "data/money.sqlite", "--currency", "EUR"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe('Error: --currency EUR needs --rates FILE (or $LLM_ACCOUNTING_RATES): a CSV of date,currency,rate (see "llm-acct --help")\n');
  });

  it("refuses a folder without a ledger instead of creating data/", () => {
    const empty = mkdtempSync(join(cwd, "empty-"));
    const result = spawnSync(process.execPath, [bins["llm-acct"]], { cwd: empty, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "", POSTGRESQL_CONNECTION_STRING: "" } });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/does not exist: nothing has been recorded there/);
    expect(existsSync(join(empty, "data"))).toBe(false);
  });
});
