import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { testStore } from "@llm-accounting/testkit";
import { SqliteStore } from "../src/index.js";
import { sqliteCaseFiles } from "../src/testing/index.js";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-sqlite-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Every case gets a new file, copied from a migrated template.
const withIndex = sqliteCaseFiles(dir, "contract");
testStore({
  name: "sqlite (file)",
  create: () => withIndex.create(),
  reopen: async (store) => new SqliteStore({ file: withIndex.fileOf(store) }),
});

const sqlSums = sqliteCaseFiles(dir, "sql-sums", { quotaIndex: false });
testStore({
  name: "sqlite (file, quota sums in SQL)",
  create: () => sqlSums.create(),
  reopen: async (store) => new SqliteStore({ file: sqlSums.fileOf(store), quotaIndex: false }),
});
