import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createPythonFixture } from "@llm-accounting/storage-prisma/testing";
import { cli } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-cli-import-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("import", () => {
  it("copies a Python database once, reporting progress on a terminal's stderr", async () => {
    const source = join(dir, "python.db");
    createPythonFixture(source, 2_500);
    const db = ["--db-file", join(dir, "target.sqlite")];
    const first = await cli([...db, "import", "--from-sqlite", source], { stderrTTY: true });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Imported from .*python\.db: 2500 accounting_entries, 2 audit_log_entries, 1 quota_rejections, 2 usage_limits, 2 projects, 2 users\n$/);
    expect(first.stderr).toContain("\raccounting_entries   [##############################] 100% 2,500/2,500\n");
    const second = await cli([...db, "import", "--from-sqlite", source, "--format", "json"]);
    expect(JSON.parse(second.stdout)).toEqual({ accounting_entries: 0, audit_log_entries: 0, quota_rejections: 0, usage_limits: 0, projects: 0, users: 0 });
    expect((await cli([...db, "projects", "list"])).stdout).toBe("other\nproj\n");
  });

  it("prints no progress when stderr is piped", async () => {
    const source = join(dir, "piped.db");
    createPythonFixture(source, 2_500);
    const run = await cli(["--db-file", join(dir, "piped-target.sqlite"), "import", "--from-sqlite", source]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
  });

  it("rejects a file that is not an llm-accounting database, and a missing source", async () => {
    const run = await cli(["--db-file", join(dir, "t2.sqlite"), "import", "--from-sqlite", join(dir, "target.sqlite")]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Error: .*target\.sqlite is not an llm-accounting database/);
    expect((await cli(["--db-file", join(dir, "t2.sqlite"), "import"])).code).toBe(2);
    const missing = await cli(["--db-file", join(dir, "t2.sqlite"), "import", "--from-sqlite", join(dir, "nope.db")]);
    expect(missing.stderr).toMatch(/^Error: --from-sqlite ".*nope\.db" cannot be read as an SQLite database/);
  });

  it("names the flag the user typed when the source is wrong", async () => {
    const own = join(dir, "own.sqlite");
    await cli(["--db-file", own, "track", "--model", "m"]);
    const ours = await cli(["--db-file", join(dir, "t3.sqlite"), "import", "--from-sqlite", own]);
    expect(ours.code).toBe(1);
    expect(ours.stderr).toMatch(/^Error: --from-sqlite .*own\.sqlite is not an llm-accounting database of the Python original \(it was written by this tool\)\n$/);
    const url = await cli(["--db-file", join(dir, "t3.sqlite"), "import", "--from-postgresql", "notaurl"]);
    expect(url.code).toBe(2);
    expect(url.stderr).toMatch(/^Error: --from-postgresql must be a postgresql:\/\/user:password@host:port\/database URL/);
  });
});
