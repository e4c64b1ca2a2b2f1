import { testStore } from "@llm-accounting/testkit";
import { MemoryStore } from "@llm-accounting/testkit/memory";

// The whole contract kit on the reference store: core's own check that the facade (`Accounting`),
// quota math and alerts work end to end, without a database.
testStore({
  name: "memory",
  create: async () => new MemoryStore(),
  // Another store object over the same data: what a second connection is to a database.
  reopen: async (store) => new MemoryStore({ data: (store as MemoryStore).data }),
  capabilities: { sql: false },
});
