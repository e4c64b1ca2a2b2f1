export type { AlertDeliveryOutcome, AlertDeliveryState, AlertFilter, AlertListener, AlertStore, NewAlert, StoredAlert } from "../store/alert-records.js";
export { alertWindow, type AlertWindow } from "./alert-window.js";
export { alertThresholdsFromText, alertThresholdsText, MAX_ALERT_THRESHOLDS, parseAlertPercents, validateAlertThresholds } from "./alert-thresholds.js";
export { alertCandidates, alertRulesOf, alertsFromCandidates, candidateRateQueries, planAlertCheck, rulesMatching, type AlertCandidate, type AlertCheckPlan, type AlertRule } from "./alert-crossings.js";
export { raiseAlerts, raiseAlertsSync, type AlertIo, type SyncAlertIo } from "./raise-alerts.js";
export { ALERT_RULES_TTL_MS, AlertRulesCache } from "./alert-rules-cache.js";
export { AlertListeners } from "./alert-listeners.js";
export { alertIdempotencyKey, alertJson, alertPayload, type AlertJson, type AlertPayload } from "./alert-json.js";
export { deliverAlerts, failureOutcome, retryDelayMs, type AlertDeliveryOptions, type AlertDeliverySummary, type AlertTarget } from "./deliver-alerts.js";
