import { nanosToUsd } from "../money.js";
import { USAGE_INPUT_FIELDS } from "../store/usage-columns.js";
import type { NewUsageRecord } from "../store/usage-record.js";
import type { UsageInput } from "../usage/usage-input.js";

/** A held record in the form `trackUsage` takes: replaying it writes the same row (names and time included). */
export function inputOf(record: NewUsageRecord): UsageInput {
  const input: Record<string, unknown> = {};
  for (const field of USAGE_INPUT_FIELDS) input[field] = record[field];
  if (record.usageEstimated) input.estimated = true;
  // Only a cost the caller or the provider gave: the others are priced when written, as they would have been.
  if (record.costSource === "caller" || record.costSource === "provider") {
    input.cost = nanosToUsd(record.costNanos);
    input.costSource = record.costSource;
  }
  return input as unknown as UsageInput;
}

/** The held calls, as onError events report them. */
export function inputsOf(records: readonly NewUsageRecord[]): UsageInput[] {
  return records.map(inputOf);
}
