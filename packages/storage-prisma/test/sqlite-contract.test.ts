import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import type { UsageStore } from "@llm-accounting/core";
import { testStore } from "@llm-accounting/testkit";
import { SqliteStore } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-sqlite-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const files = new WeakMap<UsageStore, string>();
let n = 0;

testStore({
  name: "sqlite (file)",
  create: async () => {
    const file = join(dir, `contract-${++n}.sqlite`);
    const store = new SqliteStore({ file });
    files.set(store, file);
    return store;
  },
  reopen: async (store) => new SqliteStore({ file: files.get(store)! }),
});

testStore({
  name: "sqlite (file, quota sums in SQL)",
  create: async () => {
    const file = join(dir, `contract-${++n}.sqlite`);
    const store = new SqliteStore({ file, quotaIndex: false });
    files.set(store, file);
    return store;
  },
  reopen: async (store) => new SqliteStore({ file: files.get(store)!, quotaIndex: false }),
});
