import { serviceTierRule } from "../pricing/provider-rules.js";
import type { NewUsageRecord } from "../store/usage-record.js";

/**
 * Told once per model when a call is recorded as `unpriced` (cost 0: no cost given, no price
 * known), and once per provider and service tier when calls at a tier we know no multiple for
 * (OpenAI's `priority`, ...) are priced at the model's standard price.
 */
export type UnpricedHandler = (model: string, message: string, kind: "unpriced" | "tier") => void;

/** The default: a Node process warning (printed on stderr once per model unless the process listens for `warning`). */
export const emitUnpricedWarning: UnpricedHandler = (_model, message) => {
  if (typeof process !== "undefined" && typeof process.emitWarning === "function") process.emitWarning(message, { type: "UnpricedModelWarning", code: "LLM_ACCOUNTING_UNPRICED" });
  else console.warn(message);
};

/** Remembers which models (and tiers) were reported, so each is reported once per facade. */
export class UnpricedWarnings {
  readonly #seen = new Set<string>();
  readonly #tiers = new Set<string>();
  readonly #handler: UnpricedHandler;

  constructor(handler: UnpricedHandler) {
    this.#handler = handler;
  }

  /**
   * Reports the record's model if it is unpriced, or its tier if priced as standard (`tierPriced`:
   * a price of the tier's own priced it), when not reported before.
   */
  notice(record: NewUsageRecord, tierPriced = false): void {
    if (!tierPriced) this.#noticeTier(record);
    if (record.costSource !== "unpriced" || this.#seen.has(record.model)) return;
    this.#seen.add(record.model);
    this.#handler(
      record.model,
      `no price for model '${record.model}': its calls are recorded with cost 0 and costSource 'unpriced'. Pass a pricer (createPricer() from @llm-accounting/pricing), store a price with setModelPrice, or give the cost; reprice() fills in recorded calls later.`,
      "unpriced",
    );
  }

  // A tier with a price of its own we do not know (no rule, not standard) was priced as standard:
  // the figure may be well under the bill, and nothing else would say so.
  #noticeTier(record: NewUsageRecord): void {
    const tier = record.serviceTier;
    if (record.costSource !== "price" || tier == null || tier === "standard" || serviceTierRule(record.provider, tier)) return;
    const key = `${record.provider ?? ""}\u0000${tier}`;
    if (this.#tiers.has(key)) return;
    this.#tiers.add(key);
    const through = record.provider === null ? "" : ` through ${record.provider}`;
    this.#handler(
      record.model,
      `calls at service tier '${tier}'${through} (first: model '${record.model}') are priced at the model's standard price: no multiple for that tier is published as a rule (docs/pricing.md). Give the billed cost (cost, costSource 'provider') where it differs.`,
      "tier",
    );
  }
}
