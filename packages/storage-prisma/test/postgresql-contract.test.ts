import { afterAll, beforeAll } from "vitest";
import { testStore } from "@llm-accounting/testkit";
import { PostgresqlStore } from "../src/index.js";
import { resettableTestDatabase, type ResettableTestDatabase } from "../src/testing/index.js";

// 30 s to get a pooled connection: scenarios run many calls at once, and CI runs every package at once.
const options = { connectTimeoutMs: 30_000 };
// One database for the file, its tables emptied before each case (cheaper than a database per case).
let db: ResettableTestDatabase;
beforeAll(async () => {
  db = await resettableTestDatabase(options);
}, 180_000);
afterAll(async () => {
  await db?.drop();
}, 180_000);

testStore({
  name: "postgresql",
  create: () => db.create(),
  reopen: async () => new PostgresqlStore({ ...options, connectionString: db.url }),
});
