import { RecordRejectedError } from "@llm-accounting/core";

// SQLite result codes that mean the values written are refused, whatever the retry.
const REFUSED_PREFIXES = ["SQLITE_CONSTRAINT", "SQLITE_TOOBIG", "SQLITE_MISMATCH", "SQLITE_RANGE"];
// better-sqlite3's messages when binding a record's values fails (an object where a number
// belongs, a value too big): matched by message, since the same TypeError class also reports a
// closed connection ("The database connection is not open"), which a retry after reopening cures.
const BINDING_MESSAGE = /can only bind|parameter values? were provided|missing named parameter|bound string, buffer, or bigint is too big/i;

/**
 * A write error of the SQLite store, as its caller should see it: a refusal of the record's own
 * values becomes `RecordRejectedError` (one line, original as `cause`); anything else (busy, I/O,
 * a full disk) is returned unchanged, since it may pass.
 */
export function classifySqliteWriteError(error: unknown): unknown {
  if (typeof error !== "object" || error === null) return error;
  const { code, name, message } = error as { code?: unknown; name?: unknown; message?: unknown };
  const binding = (name === "TypeError" || name === "RangeError") && BINDING_MESSAGE.test(String(message));
  const refused = (typeof code === "string" && REFUSED_PREFIXES.some((prefix) => code.startsWith(prefix))) || binding;
  return refused ? new RecordRejectedError(`SQLite refused the record: ${String(message).split("\n")[0]}`, { cause: error }) : error;
}
