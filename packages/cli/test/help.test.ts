import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EXAMPLES } from "../src/commands/help.js";
import { runCli, type CliIo } from "../src/index.js";
import { cli } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-help-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The words of an example's command line, as a shell would split them, up to the first redirection or pipe. */
function words(line: string): string[] {
  const out: string[] = [];
  for (const match of line.matchAll(/"([^"]*)"|(\S+)/g)) {
    const word = match[1] ?? match[2]!;
    if (match[2] !== undefined && /^(\|\||\||>|>>)$/.test(word)) break;
    out.push(word);
  }
  return out;
}

// Every command and subcommand, as typed after the program name.
const COMMANDS = Object.keys(EXAMPLES).filter((path) => path !== "");

describe("--help", () => {
  for (const path of COMMANDS) {
    it(`${path} --help lists its own options first, then the global ones, then examples`, async () => {
      const run = await cli([...path.split(" "), "--help"]);
      expect(run.code).toBe(0);
      const text = run.stdout;
      const own = text.indexOf("\nOptions:\n");
      const global = text.indexOf("\nGlobal options:\n");
      const examples = text.indexOf("\nExamples:\n");
      expect(own).toBeGreaterThan(0);
      expect(global).toBeGreaterThan(own);
      expect(examples).toBeGreaterThan(global);
      // Each example: a "# what it does" line, then the command line (long ones wrap).
      const flat = text.slice(examples).replace(/\s+/g, " ");
      for (const [args, description] of EXAMPLES[path]!) expect(flat).toContain(` # ${description} llm-accounting ${args} `);
    });
  }

  it("types number options as numbers, and still names what was typed when it is not one", async () => {
    const help = await cli(["track", "--help"]);
    for (const flag of ["--prompt-tokens", "--completion-tokens", "--cost", "--execution-time"]) {
      expect(help.stdout).toMatch(new RegExp(`${flag} [^\\n]*\\n?[^\\n]*\\[number\\]`));
    }
    expect(help.stdout).toMatch(/--model[^\n]*\[string\] \[required\]/);
    const tail = await cli(["tail", "--help"]);
    expect(tail.stdout).toMatch(/-n, --number[^\n]*\[number\] \[default: 10\]/);
    const bad = await cli(["track", "--model", "m", "--prompt-tokens", "0x10"]);
    expect([bad.code, bad.stderr.split("\n")[0]]).toEqual([2, 'Error: --prompt-tokens must be a non-negative integer (got "0x10") (see "llm-accounting --help")']);
  });

  it("every example is a valid command line: run on a fresh store, none is a usage error", async () => {
    const db = ["--db-file", join(dir, "examples.sqlite")];
    expect((await cli([...db, "migrate"])).code).toBe(0);
    for (const [path, examples] of Object.entries(EXAMPLES)) {
      for (const [args] of examples) {
        if (args.startsWith("<command>")) continue;
        let stderr = "";
        const stopped = new AbortController();
        stopped.abort();
        const io: CliIo = {
          stdout: { write: () => true },
          stderr: { write: (t: string) => (stderr += t) },
          readLine: async () => null,
          env: {},
          now: () => new Date(),
          // tail -f and serve stop at once.
          interruption: () => ({ signal: stopped.signal, release: () => undefined }),
          untilInterrupted: () => stopped.signal,
        };
        const code = await runCli([...db, ...words(args)], io);
        expect(code, `${path}: ${args}\n${stderr}`).not.toBe(2);
      }
    }
  });

  it("the top-level help ends with examples and keeps listing every command", async () => {
    const run = await cli(["--help"]);
    expect(run.stdout).toMatch(/Commands:[\s\S]*llm-accounting track[\s\S]*Global options:[\s\S]*Examples:\n {2}# Record a call\n/);
  });
});
