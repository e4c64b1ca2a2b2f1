import { ValidationError } from "@llm-accounting/core";

/** What a scrape exposes beyond the defaults (per model and per project). */
export interface MetricsOptions {
  /**
   * Also break usage down per user (`llm_accounting_user_*`). Off by default: every distinct user
   * becomes a series, so turn it on only when users are few (or bounded by `createUser`).
   */
  readonly perUser?: boolean;
  /** Also break usage down per caller (`llm_accounting_caller_*`). Off by default, like `perUser`. */
  readonly perCaller?: boolean;
}

/** Checks the options, naming a bad field; returns them with defaults applied. */
export function resolveMetricsOptions(options: MetricsOptions = {}): Required<MetricsOptions> {
  for (const field of ["perUser", "perCaller"] as const) {
    const value = options[field];
    if (value !== undefined && typeof value !== "boolean") throw new ValidationError(field, `must be true or false (got ${String(value)})`);
  }
  return { perUser: options.perUser ?? false, perCaller: options.perCaller ?? false };
}
