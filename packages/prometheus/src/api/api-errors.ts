/** A query parameter the API cannot use: answered with 400 and a JSON line naming it. */
export class BadParameterError extends Error {
  /** Stable code, as the facade's errors carry. */
  readonly code = "BAD_PARAMETER";
  constructor(
    /** The query parameter at fault. */
    readonly parameter: string,
    /** Why, in a few words (e.g. `must be an integer from 1 to 1000`). */
    readonly reason: string,
  ) {
    super(`${parameter} ${reason}`);
    this.name = "BadParameterError";
  }
}
