import type { UsageStore } from "@llm-accounting/core";
import type { TestStoreOptions } from "./test-store-options.js";

/**
 * A new, empty store for one case. Every case of the kit starts from one (in `beforeEach`) and
 * closes it afterwards: a case sees only what it writes, so it can run alone (`-t "<name>"`) and
 * one failure cannot leave rows that fail the next cases too. The store is not opened here: the
 * contract lets every method open it lazily, and so every case checks that it does.
 */
export function freshStore(options: TestStoreOptions): Promise<UsageStore> {
  return options.create();
}
