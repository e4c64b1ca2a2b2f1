import { ValidationError } from "../errors.js";
import { STORE_CONTRACT_VERSION } from "../store/store-capabilities.js";
import type { UsageStore } from "../store/usage-store.js";

/**
 * The store, when it implements the contract version this core speaks; else a `ValidationError`
 * naming both versions, when the facade is made rather than at the first call a changed method breaks.
 */
export function checkContractVersion(store: UsageStore): UsageStore {
  if (store.contractVersion !== STORE_CONTRACT_VERSION) {
    throw new ValidationError("store", `${store.description} implements store contract version ${String(store.contractVersion)}; this @llm-accounting/core speaks version ${STORE_CONTRACT_VERSION}`);
  }
  return store;
}
