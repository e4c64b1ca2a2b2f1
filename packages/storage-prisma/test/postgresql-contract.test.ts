import { afterAll } from "vitest";
import type { UsageStore } from "@llm-accounting/core";
import { testStore } from "@llm-accounting/core/testkit";
import { PostgresqlStore } from "../src/index.js";
import { createTestDatabase } from "../src/testing/index.js";

const drops: (() => Promise<void>)[] = [];
const urls = new WeakMap<UsageStore, string>();
afterAll(async () => {
  for (const drop of drops) await drop();
});

testStore({
  name: "postgresql",
  create: async () => {
    const db = await createTestDatabase();
    drops.push(db.drop);
    const store = new PostgresqlStore({ connectionString: db.url });
    urls.set(store, db.url);
    return store;
  },
  reopen: async (store) => new PostgresqlStore({ connectionString: urls.get(store)! }),
});
