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
  return value;
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
