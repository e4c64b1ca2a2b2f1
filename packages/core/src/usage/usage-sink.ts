import type { UsageInput } from "./usage-input.js";

/**
 * Anything that accepts tracked calls: the `Accounting` facade (resolves once stored) or a
 * `UsageBuffer` (returns at once and writes in batches). Wrappers accept either.
 */
export interface UsageSink {
  trackUsage(input: UsageInput): unknown;
}
