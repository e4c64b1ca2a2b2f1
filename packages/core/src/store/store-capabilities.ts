/**
 * The version of the store contract this core speaks. A store states the version it was written
 * against in `UsageStore.contractVersion` (as a literal, not this constant: a store that imported
 * it would claim every future version). Raised on any change an existing store could break under.
 */
export const STORE_CONTRACT_VERSION = 1;

/**
 * The optional parts of the contract and the methods each one stands for. A store declares in
 * `UsageStore.capabilities` the parts it implements, and has exactly their methods; for every
 * part it lacks, the facade does the work over the required methods or says it cannot (the docs
 * of each method tell which), and the contract kit runs those fallback cases instead.
 */
export const STORE_CAPABILITIES = {
  /** Sums per model and per column in the store (`sumUsageByModel`, `sumUsageBy`). */
  groupedSums: ["sumUsageByModel", "sumUsageBy"],
  /** Sums per value of a tag key in the store. */
  tagSums: ["sumUsageByTag"],
  /** Sums of records carrying given tags in the store. */
  taggedSums: ["sumTaggedUsage"],
  /** Changing stored costs (a reprice applies its changes). */
  costUpdates: ["updateCosts"],
  /** Resumable, idempotent copies from another database (`import` from the Python tool). */
  imports: ["importCursor", "importRows"],
  /** Coding agents' log imports (`import --from-claude-code`, `--from-codex`). */
  agentImport: ["agentLogFiles", "importAgentCalls"],
  /** Threshold alerts raised with the usage that crosses them, and their delivery. */
  alerts: ["listAlerts", "claimAlertDeliveries", "finishAlertDelivery", "onAlertsRaised"],
  /** A counter of changed or deleted records (watchers notice reprices and purges). */
  usageMutations: ["usageMutations"],
  /** Limits and their version in one read. */
  versionedLimits: ["limitsWithVersion"],
  /** Quota sums and the limits version of the same snapshot in one read. */
  versionedQuotaSums: ["sumQuotaUsageVersioned"],
} as const satisfies Record<string, readonly string[]>;

/** One optional part of the store contract (see `STORE_CAPABILITIES`). */
export type StoreCapability = keyof typeof STORE_CAPABILITIES;

/** The method names of every optional part. */
export type OptionalStoreMethod = (typeof STORE_CAPABILITIES)[StoreCapability][number];

/** Whether a store declares a capability. */
export function storeCan(store: { readonly capabilities: readonly StoreCapability[] }, capability: StoreCapability): boolean {
  return store.capabilities.includes(capability);
}
