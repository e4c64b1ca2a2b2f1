import { AccountingError } from "@llm-accounting/core";

/** A query parameter the API cannot use: answered with 400 and a JSON line naming it. */
export class BadParameterError extends AccountingError {
  /** The query parameter at fault. */
  readonly parameter: string;
  /** Why, in a few words (e.g. `must be an integer from 1 to 1000`). */
  readonly reason: string;
  constructor(parameter: string, reason: string) {
    super("BAD_PARAMETER", `${parameter} ${reason}`);
    this.parameter = parameter;
    this.reason = reason;
  }
}
