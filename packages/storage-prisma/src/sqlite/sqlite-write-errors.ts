import { RecordRejectedError } from "@llm-accounting/core";

// SQLite result codes that mean the values written are refused, whatever the retry.
const REFUSED_PREFIXES = ["SQLITE_CONSTRAINT", "SQLITE_TOOBIG", "SQLITE_MISMATCH", "SQLITE_RANGE"];
// Raised while binding a record's values (an object where a number belongs, an invalid Date).
const BINDING_ERRORS = new Set(["TypeError", "RangeError"]);

/**
 * A write error of the SQLite store, as its caller should see it: a refusal of the record's own
 * values becomes `RecordRejectedError` (one line, original as `cause`); anything else (busy, I/O,
 * a full disk) is returned unchanged, since it may pass.
 */
export function classifySqliteWriteError(error: unknown): unknown {
  if (typeof error !== "object" || error === null) return error;
  const { code, name, message } = error as { code?: unknown; name?: unknown; message?: unknown };
  const refused = (typeof code === "string" && REFUSED_PREFIXES.some((prefix) => code.startsWith(prefix))) || BINDING_ERRORS.has(String(name));
  return refused ? new RecordRejectedError(`SQLite refused the record: ${String(message).split("\n")[0]}`, { cause: error }) : error;
}
