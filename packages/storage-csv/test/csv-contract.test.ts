import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import type { UsageStore } from "@llm-accounting/core";
import { testStore } from "@llm-accounting/testkit";
import { CsvStore } from "../src/index.js";

const root = mkdtempSync(join(tmpdir(), "llm-acct-csv-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const dirs = new WeakMap<UsageStore, string>();
let n = 0;

testStore({
  name: "csv",
  // A new folder per case: the store creates its files on open.
  create: async () => {
    const dir = join(root, `store-${++n}`);
    const store = new CsvStore({ dir });
    dirs.set(store, dir);
    return store;
  },
  reopen: async (store) => new CsvStore({ dir: dirs.get(store)! }),
  capabilities: { sql: false, agentImport: false },
});
