export { sampleRecord } from "./sample-records.js";
export { testStore } from "./test-store.js";
export type { TestStoreOptions } from "./test-store-options.js";
export { testQuotaRetry } from "./test-quota-retry.js";
export { testPurgeFilters } from "./test-purge-filters.js";
export { withoutParts } from "./without-parts.js";
