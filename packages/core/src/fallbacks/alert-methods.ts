import type { AlertStore } from "../store/alert-records.js";
import type { UsageStore } from "../store/usage-store.js";

/** The store's alert methods, when it has them all (capability `alerts`); null when it keeps no alerts. */
export function alertStoreOf(store: UsageStore): AlertStore | null {
  const { listAlerts, claimAlertDeliveries, finishAlertDelivery, onAlertsRaised } = store;
  if (!listAlerts || !claimAlertDeliveries || !finishAlertDelivery || !onAlertsRaised) return null;
  return store as UsageStore & AlertStore;
}
