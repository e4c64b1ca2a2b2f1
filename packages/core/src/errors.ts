import type { QuotaDecision } from "./quota/quota-decision.js";

/** Base class of every error llm-accounting throws on purpose; `code` is stable across versions. */
export class AccountingError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * Input that breaks a documented rule; `field` names the offending input (API name) and `reason`
 * says what is wrong with it. The message is the two joined (`promptTokens must be a non-negative
 * integer`), so a caller that names the input otherwise (a CLI flag, a query parameter) rewords
 * it from `reason` without cutting the message apart.
 */
export class ValidationError extends AccountingError {
  readonly field: string;
  readonly reason: string;
  constructor(field: string, reason: string) {
    super("VALIDATION", `${field} ${reason}`);
    this.field = field;
    this.reason = reason;
  }
}

/** The store cannot be opened or reached (bad path, unreachable server, failed migration), or an open store lost its server. */
export class StoreUnavailableError extends AccountingError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("STORE_UNAVAILABLE", message, options);
  }
}

/**
 * The store refused a record for good: the database's own rules reject a value (too large for an
 * index, text it cannot hold, a constraint). Retrying cannot help; other records still can be stored.
 */
export class RecordRejectedError extends AccountingError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("RECORD_REJECTED", message, options);
  }
}

/** A `select` query that is not a single read-only statement, or that the database rejected. */
export class QueryRejectedError extends AccountingError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("QUERY_REJECTED", message, options);
  }
}

/** Something named by id or name does not exist (e.g. deleting an unknown limit). */
export class NotFoundError extends AccountingError {
  constructor(message: string) {
    super("NOT_FOUND", message);
  }
}

/** A call would exceed a usage limit; `decision` holds the reason, the limit and the retry time. */
export class QuotaExceededError extends AccountingError {
  readonly decision: QuotaDecision;
  constructor(decision: QuotaDecision) {
    super("QUOTA_EXCEEDED", decision.reason ?? "usage limit exceeded");
    this.decision = decision;
  }
  /** Seconds until the call may succeed, when known. */
  get retryAfterSeconds(): number | null {
    return this.decision.retryAfterSeconds;
  }
}

/** A write clashes with what is stored (e.g. a limit identical to an existing one). */
export class ConflictError extends AccountingError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("CONFLICT", message, options);
  }
}

/** A project or user name refused by name enforcement (the original's messages). */
export class NameNotAllowedError extends AccountingError {
  constructor(message: string) {
    super("NAME_NOT_ALLOWED", message);
  }
}
