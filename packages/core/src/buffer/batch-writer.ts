import type { NewUsageRecord } from "../store/usage-record.js";
import type { UsageDefaults } from "../usage/usage-input.js";

/**
 * What a buffer writes through: the `Accounting` facade, or anything with its defaults and
 * `trackNormalizedBatch` (records already made by `normalizeUsage` with these defaults).
 */
export interface UsageBatchWriter {
  readonly defaults: UsageDefaults;
  trackNormalizedBatch(records: readonly NewUsageRecord[]): Promise<void>;
}

/**
 * A held call is its normalized record alone (the only normalizeUsage on the buffered path): one
 * object per call keeps every queue step (push, drop-oldest, park, isolate, abandon) O(1) on a
 * single structure and costs the least per call. Calls are reported to onError and spill in the
 * input form (`inputOf`), which users can replay with `trackUsage` and serialise as JSON.
 */
export type QueuedUsage = NewUsageRecord;
