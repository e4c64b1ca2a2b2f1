// Codes of the errors that say the records themselves are refused, so the same write fails every
// time. Matched by `code`, not by class: errors from another copy of the core package count too.
// CONFLICT is not one: the facade raises ConflictError for a clash that a retry resolves (limits
// changed while a guarded write waited).
const PERMANENT_CODES: ReadonlySet<unknown> = new Set(["VALIDATION", "NAME_NOT_ALLOWED", "RECORD_REJECTED"]);

/**
 * True when retrying the same write cannot succeed: the facade or the store refused the records
 * (`ValidationError`, `NameNotAllowedError`, `RecordRejectedError`). Anything else
 * (`StoreUnavailableError`, a lock, a `ConflictError`, an unknown error) may pass on a later attempt.
 */
export function isPermanentWriteFailure(error: unknown): boolean {
  return typeof error === "object" && error !== null && PERMANENT_CODES.has((error as { code?: unknown }).code);
}
