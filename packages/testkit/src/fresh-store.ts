import type { UsageStore } from "@llm-accounting/core";
import type { TestStoreOptions } from "./test-store.js";

/**
 * A new, empty, open store for one case. Every case of the kit starts from one (in `beforeEach`)
 * and closes it afterwards: a case sees only what it writes, so it can run alone (`-t "<name>"`)
 * and one failure cannot leave rows that fail the next cases too.
 */
export async function openFreshStore(options: TestStoreOptions): Promise<UsageStore> {
  const store = await options.create();
  await store.open();
  return store;
}
