import { ValidationError } from "../errors.js";
import type { UsageStore } from "../store/usage-store.js";

/** Writes new costs, as the optional part `costUpdates` of the contract offers it. */
export type CostUpdates = Required<UsageStore>["updateCosts"];

/**
 * The store's `updateCosts` (capability `costUpdates`). There is no way to change a stored cost
 * through the required methods, so a store without it refuses with a `ValidationError` naming
 * the store, before any work is done (a reprice's dry run still works).
 */
export function costUpdatesOf(store: UsageStore): CostUpdates {
  const updateCosts = store.updateCosts;
  if (!updateCosts) throw new ValidationError("store", `${store.description} cannot change stored costs`);
  return (changes, onProgress) => updateCosts.call(store, changes, onProgress);
}
