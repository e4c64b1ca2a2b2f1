import { afterAll } from "vitest";
import type { UsageStore } from "@llm-accounting/core";
import { testStore } from "@llm-accounting/testkit";
import { PostgresqlStore } from "../src/index.js";
import { createTestDatabase } from "../src/testing/index.js";

const drops: (() => Promise<void>)[] = [];
const urls = new WeakMap<UsageStore, string>();
afterAll(async () => {
  for (const drop of drops) await drop(); // DROP DATABASE can take seconds each on a busy server
}, 180_000);

testStore({
  name: "postgresql",
  // 30 s to get a pooled connection: scenarios run many calls at once, and CI runs every package at once.
  create: async () => {
    const db = await createTestDatabase();
    drops.push(db.drop);
    const store = new PostgresqlStore({ connectionString: db.url, connectTimeoutMs: 30_000 });
    urls.set(store, db.url);
    return store;
  },
  reopen: async (store) => new PostgresqlStore({ connectionString: urls.get(store)!, connectTimeoutMs: 30_000 }),
});
