import { testStore, withoutParts } from "@llm-accounting/testkit";
import { MemoryStore } from "@llm-accounting/testkit/memory";

// The smallest store the contract allows: the reference store with every optional part hidden.
// The whole kit runs on it through the facade's fallbacks (or checks the facade refuses by name
// what cannot be done without a part), so a custom store can start with the required methods.
testStore({
  name: "memory, required methods only",
  create: async () => withoutParts(new MemoryStore()),
  reopen: async (store) => withoutParts(new MemoryStore({ data: (store as MemoryStore).data })),
  capabilities: { sql: false, agentImport: false, alerts: false },
});
