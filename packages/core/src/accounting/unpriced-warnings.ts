import type { NewUsageRecord } from "../store/usage-record.js";

/** Told once per model when a call is recorded as `unpriced` (cost 0: no cost given, no price known). */
export type UnpricedHandler = (model: string, message: string) => void;

/** The default: a Node process warning (printed on stderr once per model unless the process listens for `warning`). */
export const emitUnpricedWarning: UnpricedHandler = (_model, message) => {
  if (typeof process !== "undefined" && typeof process.emitWarning === "function") process.emitWarning(message, { type: "UnpricedModelWarning", code: "LLM_ACCOUNTING_UNPRICED" });
  else console.warn(message);
};

/** Remembers which models were reported unpriced, so each is reported once per facade. */
export class UnpricedWarnings {
  readonly #seen = new Set<string>();
  readonly #handler: UnpricedHandler;

  constructor(handler: UnpricedHandler) {
    this.#handler = handler;
  }

  /** Reports the record's model if it is unpriced and not reported before. */
  notice(record: NewUsageRecord): void {
    if (record.costSource !== "unpriced" || this.#seen.has(record.model)) return;
    this.#seen.add(record.model);
    this.#handler(
      record.model,
      `no price for model '${record.model}': its calls are recorded with cost 0 and costSource 'unpriced'. Pass a pricer (createPricer() from @llm-accounting/pricing), store a price with setModelPrice, or give the cost; reprice() fills in recorded calls later.`,
    );
  }
}
