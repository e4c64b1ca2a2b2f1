import { ValidationError } from "@llm-accounting/core";

/** Environment variable read when no connection string is given (as in the Python original). */
export const POSTGRESQL_ENV = "POSTGRESQL_CONNECTION_STRING";

/** Picks the connection string (explicit, else the environment) and checks it is a postgres URL. */
export function resolveConnectionString(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const value = explicit ?? env[POSTGRESQL_ENV];
  if (value === undefined || value.trim() === "") {
    throw new ValidationError("postgresqlConnectionString", `is required for the postgresql backend (pass it or set ${POSTGRESQL_ENV})`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError("postgresqlConnectionString", "is not a URL (expected postgresql://user@host:port/database)");
  }
  if (url.protocol !== "postgresql:" && url.protocol !== "postgres:") {
    throw new ValidationError("postgresqlConnectionString", `must start with postgresql:// (got ${url.protocol}//)`);
  }
  return withLibpqSslModes(value, url);
}

/** The `sslmode` values whose meaning differs between libpq and pg's default (which warns about them). */
const LIBPQ_SSL_MODES = new Set(["prefer", "require", "verify-ca"]);

/**
 * `sslmode` with the meaning libpq (psql, the Python original) gives it: pg otherwise treats prefer,
 * require and verify-ca as verify-full and prints a 10-line security warning on stderr. Adds
 * `uselibpqcompat=true` for those modes unless the URL already chooses; other modes (disable,
 * verify-full, pg's no-verify) mean the same either way and are left as they are.
 */
function withLibpqSslModes(value: string, url: URL): string {
  const sslmode = url.searchParams.get("sslmode");
  if (sslmode === null || !LIBPQ_SSL_MODES.has(sslmode) || url.searchParams.has("uselibpqcompat")) return value;
  // Appended to the text, not rebuilt through URL, which would re-encode the rest of it.
  const hash = value.indexOf("#");
  const [head, tail] = hash === -1 ? [value, ""] : [value.slice(0, hash), value.slice(hash)];
  return `${head}${head.includes("?") ? "&" : "?"}uselibpqcompat=true${tail}`;
}

/** A PostgreSQL URL with libpq's `sslmode` meaning (see `withLibpqSslModes`); text that is no URL is returned as is. */
export function libpqSslModes(value: string): string {
  try {
    return withLibpqSslModes(value, new URL(value));
  } catch {
    return value;
  }
}

/** The connection string with any password masked, for messages. */
export function redactConnectionString(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = "***";
    return url.toString();
  } catch {
    return "postgresql://(unparsable)";
  }
}
