// The alert records are part of the store contract and live in store/alert-records.ts.
export type { AlertDeliveryOutcome, AlertDeliveryState, AlertFilter, AlertListener, AlertStore, NewAlert, StoredAlert } from "../store/alert-records.js";
