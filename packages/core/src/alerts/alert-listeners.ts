import type { AlertListener, StoredAlert } from "../store/alert-records.js";

/** The listeners of one store object; a throwing listener cannot break the write that raised the alert. */
export class AlertListeners {
  readonly #listeners = new Set<AlertListener>();

  /** Adds a listener; returns a function that removes it. */
  add(listener: AlertListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Tells every listener, after the commit; errors are reported as a process warning. */
  emit(alerts: readonly StoredAlert[]): void {
    if (alerts.length === 0) return;
    for (const listener of this.#listeners) {
      try {
        listener(alerts);
      } catch (error) {
        process.emitWarning(`alert listener failed: ${(error as Error).message}`, "AlertListenerWarning");
      }
    }
  }
}
