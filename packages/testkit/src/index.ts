export { sampleRecord } from "./sample-records.js";
export { testStore, type TestStoreOptions } from "./test-store.js";
export { testQuotaRetry } from "./test-quota-retry.js";
export { testPurgeFilters } from "./test-purge-filters.js";
