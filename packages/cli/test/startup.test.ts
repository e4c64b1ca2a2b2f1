import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

// What a one-shot command loads decides how fast it starts (timed by `pnpm bench`, key `cli`, not
// here). These tests run the built bin, as users do, and list every file Node loads for it.
const BIN = fileURLToPath(new URL("../bin/llm-accounting.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "llm-acct-startup-"));
const db = ["--db-file", join(dir, "startup.sqlite")];
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A loader hook that prints each loaded module's URL on stderr.
const HOOK = `data:text/javascript,${encodeURIComponent(`
import { register } from "node:module";
register("data:text/javascript," + encodeURIComponent(
  "export async function load(url, context, next) { if (!url.startsWith('node:')) process.stderr.write('LOADED ' + url + '\\\\n'); return next(url, context); }"));
`)}`;

/** Runs the bin; resolves with its exit code, stdout and the files it loaded (workspace-relative). */
function run(args: string[]): { code: number | null; stdout: string; stderr: string; loaded: string[] } {
  const child = spawnSync(process.execPath, ["--import", HOOK, BIN, ...args], { encoding: "utf8", cwd: dir });
  const loaded = child.stderr.split("\n").filter((line) => line.startsWith("LOADED ")).map((line) => line.slice("LOADED ".length));
  const stderr = child.stderr.split("\n").filter((line) => !line.startsWith("LOADED ")).join("\n");
  return { code: child.status, stdout: child.stdout, stderr, loaded };
}

describe("start-up of the built bin", () => {
  it("track loads a few bundled files, and neither the Prisma client nor the price catalog when --cost is given", () => {
    const track = run([...db, "track", "--model", "gpt-4o", "--prompt-tokens", "10", "--cost", "0.01"]);
    expect([track.code, track.stdout, track.stderr]).toEqual([0, "Usage entry tracked successfully\n", ""]);
    // Unbundled, the same command loaded about 160 modules.
    expect(track.loaded.length).toBeLessThanOrEqual(20);
    expect(track.loaded.filter((url) => /generated\/sqlite\/client|@prisma\/client|genai-prices/.test(url))).toEqual([]);
    const ownFiles = track.loaded.filter((url) => url.includes("/packages/") && !url.includes("/node_modules/"));
    expect(ownFiles.every((url) => /\/packages\/cli\/(bin|dist\/bundle)\//.test(url))).toBe(true);
  });

  it("check loads as little as track", () => {
    const check = run([...db, "check", "--model", "gpt-4o", "--cost", "0.01"]);
    expect([check.code, check.stdout]).toEqual([0, "Allowed\n"]);
    expect(check.loaded.length).toBeLessThanOrEqual(20);
  });

  it("runs every kind of work from the bundle: pricing, tail without the Prisma client, the query child (select), the version", () => {
    const priced = run([...db, "track", "--model", "gpt-4o", "--prompt-tokens", "1000", "--completion-tokens", "100", "--format", "json"]);
    expect(priced.code).toBe(0);
    expect(JSON.parse(priced.stdout)).toMatchObject({ model: "gpt-4o", costSource: "price" });
    const tail = run([...db, "tail", "-n", "5", "--format", "json"]);
    expect(JSON.parse(tail.stdout).map((r: { model: string }) => r.model)).toEqual(["gpt-4o", "gpt-4o"]);
    // tail reads through the store's own statement: no Prisma client (a WebAssembly compiler) to load.
    expect(tail.loaded.filter((url) => /\/client-[A-Z0-9]+\.js$|@prisma\/client/.test(url))).toEqual([]);
    const select = run([...db, "select", "--query", "SELECT COUNT(*) AS n FROM accounting_entries", "--format", "csv"]);
    expect([select.code, select.stdout]).toEqual([0, "n\n2\n"]);
    const version = run(["--version"]);
    expect(version.stdout).toMatch(/^llm-accounting \d+\.\d+\.\d+/);
  });
});
