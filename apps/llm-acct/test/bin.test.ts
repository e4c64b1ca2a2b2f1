import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
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
  const result = spawnSync(process.execPath, [bins[bin], ...args], { cwd, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
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

  it("exits 2 with one line and no stack trace on an unknown option", () => {
    const result = run(bin, ["tail", "--nope"]);
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe("Error: Unknown argument: nope");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("exits 1 with one line on a bad database name", () => {
    const result = run(bin, ["--db-file", "x.csv", "tail"]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });
});
