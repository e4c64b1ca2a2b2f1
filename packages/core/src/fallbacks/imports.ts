import { ValidationError } from "../errors.js";
import type { ImportStore } from "../store/import-records.js";
import type { UsageStore } from "../store/usage-store.js";

/**
 * The store's import methods (capability `imports`). A copy is only resumable and idempotent
 * when the cursor moves in the step that writes the rows, which the required methods cannot do,
 * so a store without them refuses with a `ValidationError` naming the store.
 */
export function importsOf(store: UsageStore): ImportStore {
  if (!store.importCursor || !store.importRows) throw new ValidationError("store", `${store.description} cannot take imports`);
  return store as UsageStore & ImportStore;
}
