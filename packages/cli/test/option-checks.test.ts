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
