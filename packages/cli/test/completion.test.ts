import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { cli } from "./helpers.js";

const BIN = fileURLToPath(new URL("../bin/llm-accounting.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "llm-acct-completion-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("completion", () => {
  it("prints a bash script by default and a zsh one when asked or when $SHELL is zsh", async () => {
    const bash = await cli(["completion"], { env: { SHELL: "/bin/bash" } });
    expect(bash.code).toBe(0);
    expect(bash.stdout).toContain("complete -o bashdefault -o default -F _llm_accounting_completions llm-accounting\n");
    const zsh = await cli(["completion", "zsh"]);
    expect(zsh.stdout.startsWith("#compdef llm-accounting\n")).toBe(true);
    expect(zsh.stdout).toContain("compdef _llm_accounting_completions llm-accounting");
    expect((await cli(["completion"], { env: { SHELL: "/usr/bin/zsh" } })).stdout).toBe(zsh.stdout);
    const fish = await cli(["completion", "fish"]);
    expect(fish.code).toBe(2);
  });

  it("answers the scripts' question with commands, subcommands, options and choices", async () => {
    const words = async (...args: string[]) => (await cli(["--get-yargs-completions", "llm-accounting", ...args])).stdout.trim().split("\n");
    expect(await words("")).toEqual(expect.arrayContaining(["track", "stats", "tail", "check", "limits", "completion"]));
    expect(await words("limits", "")).toEqual(expect.arrayContaining(["set", "list", "delete"]));
    expect(await words("tail", "--")).toEqual(expect.arrayContaining(["--number", "--session", "--format", "--db-file"]));
    expect(await words("stats", "--format", "")).toEqual(["table", "json", "csv", "ndjson"]);
  });

  describe("zsh answers", () => {
    const saved = process.env.ZSH_NAME;
    afterEach(() => {
      if (saved === undefined) delete process.env.ZSH_NAME;
      else process.env.ZSH_NAME = saved;
    });
    it("carry each command's description, as _describe wants (the script sets ZSH_NAME)", async () => {
      process.env.ZSH_NAME = "zsh";
      const run = await cli(["--get-yargs-completions", "llm-accounting", ""]);
      expect(run.stdout.split("\n")).toContain("track:Record one model call");
    });
  });

  it("the bash function, sourced in bash, completes commands, subcommands and choices through the real bin", () => {
    const bin = join(dir, "bin");
    rmSync(bin, { recursive: true, force: true });
    spawnSync("mkdir", ["-p", bin]);
    writeFileSync(join(bin, "llm-accounting"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(join(bin, "llm-accounting"), 0o755);
    const script = `
      source <(llm-accounting completion bash)
      complete_words() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _llm_accounting_completions; echo "\${COMPREPLY[*]}"; }
      complete_words llm-accounting st
      complete_words llm-accounting limits ""
      complete_words llm-accounting stats --format ""
      complete_words llm-accounting tail --se
    `;
    const run = spawnSync("bash", ["-c", script], { encoding: "utf8", env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    expect(run.stderr).toBe("");
    expect(run.stdout.split("\n").slice(0, 4)).toEqual(["stats", "set list delete", "table json csv ndjson", "--session"]);
  });
});
