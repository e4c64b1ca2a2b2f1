import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { cli } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "llm-options-"));
const db = ["--db-file", join(dir, "options.sqlite")];
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  const store = new SqliteStore({ file: db[1]!, writerThread: false });
  await store.open();
  await store.close();
});

describe("stats period flags", () => {
  it("refuses two periods with one usage line (exit 2) instead of picking one", async () => {
    const pairs = [["--daily", "--weekly"], ["--weekly", "--yearly"], ["--monthly", "--yearly"], ["--daily", "--monthly"], ["--period", "daily", "--weekly"]];
    for (const flags of pairs) {
      const run = await cli([...db, "stats", ...flags]);
      expect(run, flags.join(" ")).toMatchObject({ code: 2, stdout: "" });
      expect(run.stderr).toMatch(/^Error: Arguments \w+ and \w+ are mutually exclusive \(see "llm-accounting --help"\)\n$/);
    }
  });

  it("still takes each period alone", async () => {
    for (const flag of ["--daily", "--weekly", "--monthly", "--yearly"]) expect((await cli([...db, "stats", flag])).code, flag).toBe(0);
  });
});

describe("check token parts", () => {
  it("refuses cache tokens beyond the input, as track does (one usage line, exit 2)", async () => {
    const cases: [string[], RegExp][] = [
      [["--input-tokens", "10", "--cached-tokens", "11"], /^Error: --cached-tokens plus --cache-write-tokens \(11\) must not exceed --input-tokens \(10\): they are part of it/],
      [["--prompt-tokens", "10", "--cached-tokens", "8", "--cache-write-tokens", "3"], /must not exceed --input-tokens \(10\)/],
      [["--cache-write-tokens", "1"], /must not exceed --input-tokens \(0\)/],
      [["--cached-tokens", "5", "--cost", "0.5"], /must not exceed --input-tokens \(0\)/],
    ];
    for (const [flags, message] of cases) {
      const run = await cli([...db, "check", "--model", "gpt-4o", ...flags]);
      expect(run, flags.join(" ")).toMatchObject({ code: 2, stdout: "" });
      expect(run.stderr).toMatch(message);
      expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
      // track gives the same answer to the same counts.
      const trackFlags = flags.map((f) => (f === "--input-tokens" ? "--prompt-tokens" : f));
      expect((await cli([...db, "track", "--model", "gpt-4o", ...trackFlags])).code, `track ${trackFlags.join(" ")}`).toBe(2);
    }
  });

  it("takes cache tokens within the input", async () => {
    expect((await cli([...db, "check", "--model", "gpt-4o", "--input-tokens", "10", "--cached-tokens", "6", "--cache-write-tokens", "4"])).code).toBe(0);
  });
});
