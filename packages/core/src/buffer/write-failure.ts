// Codes of the errors that say the records themselves are refused, so the same write fails every
// time. Matched by `code`, not by class: errors from another copy of the core package count too.
const PERMANENT_CODES: ReadonlySet<unknown> = new Set(["VALIDATION", "NAME_NOT_ALLOWED", "CONFLICT", "RECORD_REJECTED"]);

/**
 * True when retrying the same write cannot succeed: the facade or the store refused the records
 * (`ValidationError`, `NameNotAllowedError`, `ConflictError`, `RecordRejectedError`). Anything
 * else (`StoreUnavailableError`, a lock or conflict, an unknown error) may pass on a later attempt.
 */
export function isPermanentWriteFailure(error: unknown): boolean {
  return typeof error === "object" && error !== null && PERMANENT_CODES.has((error as { code?: unknown }).code);
}
