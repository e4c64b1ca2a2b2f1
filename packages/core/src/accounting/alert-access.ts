import { ValidationError } from "../errors.js";
import type { UsageStore } from "../store/usage-store.js";
import type { AlertFilter, AlertStore, StoredAlert } from "../store/alert-records.js";
import type { AlertDeliverySummary } from "../alerts/deliver-alerts.js";
import type { FacadeState } from "./facade-state.js";
import { alertStoreOf } from "../fallbacks/alert-methods.js";

/** Alerts, newest first (at most `filter.limit`, default 100), with their delivery state. */
export async function listAlerts(state: FacadeState, filter: AlertFilter): Promise<StoredAlert[]> {
  if (filter.limit !== undefined && (!Number.isSafeInteger(filter.limit) || filter.limit < 1)) throw new ValidationError("limit", `must be a positive integer (got ${filter.limit})`);
  await state.open();
  return requireAlertStore(state.store).listAlerts(filter);
}

/** Delivers the pending alerts that are due to the facade's targets; without targets, nothing. */
export async function deliverAlerts(state: FacadeState): Promise<AlertDeliverySummary> {
  await state.open();
  requireAlertStore(state.store);
  if (!state.alertDelivery) return { delivered: 0, retrying: 0, failed: 0, nextAttemptAt: null };
  return state.alertDelivery.deliverNow();
}

/** The store's alert methods; a store without them says so. */
function requireAlertStore(store: UsageStore): AlertStore {
  const alerts = alertStoreOf(store);
  if (!alerts) throw new ValidationError("store", `${store.description} does not keep alerts`);
  return alerts;
}
