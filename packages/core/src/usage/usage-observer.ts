import { ValidationError } from "../errors.js";
import type { NewUsageRecord } from "../store/usage-record.js";

/**
 * Sees usage records once they are stored, as stored (priced, stamped, names filled in): a
 * metrics or tracing exporter beside the store (`@llm-accounting/otel`), attached with
 * `accounting.observe(observer)` or `buffer.observe(observer)`. Called synchronously right after
 * the write, in the writer's async context; keep it quick and let it queue any I/O of its own.
 */
export interface UsageObserver {
  /** The records one write stored (one for `trackUsage` and `commit`, a batch for `UsageBuffer` and `trackUsageBatch`). */
  onRecorded(records: readonly NewUsageRecord[]): void;
}

/** Told when an observer throws; the write it observed has succeeded regardless. */
export type ObserverErrorHandler = (error: unknown) => void;

/** The default: a Node process warning, so a broken exporter never fails a tracked call. */
export const emitObserverWarning: ObserverErrorHandler = (error) => {
  const message = `a usage observer failed: ${error instanceof Error ? error.message : String(error)}`;
  if (typeof process !== "undefined" && typeof process.emitWarning === "function") process.emitWarning(message, { type: "UsageObserverWarning", code: "LLM_ACCOUNTING_OBSERVER" });
  else console.warn(message);
};

/** The observers attached to one facade or buffer. */
export class UsageObservers {
  readonly #observers = new Set<UsageObserver>();
  readonly #onError: ObserverErrorHandler;

  constructor(initial: readonly UsageObserver[] = [], onError: ObserverErrorHandler = emitObserverWarning) {
    for (const observer of initial) this.add(observer);
    this.#onError = onError;
  }

  /** Attaches an observer; returns a function that detaches it. */
  add(observer: UsageObserver): () => void {
    if (typeof observer?.onRecorded !== "function") throw new ValidationError("observer", "must have an onRecorded(records) method");
    this.#observers.add(observer);
    return () => {
      this.#observers.delete(observer);
    };
  }

  /** Whether any observer is attached (the hot path skips `notify` otherwise). */
  get active(): boolean {
    return this.#observers.size > 0;
  }

  /** Hands stored records to every observer; an observer's error goes to the error handler, never to the writer. */
  notify(records: readonly NewUsageRecord[]): void {
    for (const observer of this.#observers) {
      try {
        observer.onRecorded(records);
      } catch (error) {
        this.#onError(error);
      }
    }
  }
}
