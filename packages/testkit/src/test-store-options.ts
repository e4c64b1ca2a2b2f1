import type { UsageStore } from "@llm-accounting/core";

/** How `testStore` gets stores to test. */
export interface TestStoreOptions {
  /** Shown in the suite title, e.g. "sqlite" or "postgresql". */
  readonly name: string;
  /**
   * Returns a new, empty store. Called before every case, so each case starts clean and can run
   * alone: keep it cheap (copy a migrated template file, empty the tables of one database, or
   * make a new folder) rather than create a database each time. The kit leaves opening to the
   * store (every method must open it lazily) and closes it after the case; the next call may reuse
   * what that store held.
   */
  readonly create: () => Promise<UsageStore>;
  /** Returns a second store over the same data as `store` (another connection), if the adapter can. */
  readonly reopen?: (store: UsageStore) => Promise<UsageStore>;
  /**
   * What the store cannot do, declared rather than skipped: with `sql: false` the suite checks
   * that `readOnlyQuery` refuses every query with `QueryRejectedError` instead of running it;
   * with `agentImport: false` or `alerts: false`, that the store has none of those methods and
   * the facade says so. The last two must agree with the store's own `capabilities` (checked);
   * they are repeated here because the kit picks these suites before any store exists. For the
   * other optional parts the kit reads the store's declaration and runs the facade's fallbacks
   * where the store lacks a part.
   */
  readonly capabilities?: { readonly sql?: boolean; readonly agentImport?: boolean; readonly alerts?: boolean };
}
