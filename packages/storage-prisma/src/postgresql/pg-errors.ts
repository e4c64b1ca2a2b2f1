import { AccountingError, RecordRejectedError, StoreUnavailableError } from "@llm-accounting/core";

// Socket-level failures: the server is down, unreachable or dropped the connection.
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ECONNABORTED", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);
// SQLSTATEs outside class 08 that mean the server cannot serve us now: shut down by an
// administrator (57P01), crash recovery (57P02), not yet accepting connections (57P03), full (53300).
const UNAVAILABLE_STATES = new Set(["57P01", "57P02", "57P03", "53300"]);
// Prisma's codes for the same: unreachable, connect timeout, operation timeout, server closed the
// connection, no connection from the pool in time.
const PRISMA_UNAVAILABLE = new Map([
  ["P1001", "cannot reach the server"],
  ["P1002", "the server did not answer in time"],
  ["P1008", "the operation timed out"],
  ["P1017", "the server closed the connection"],
  ["P2024", "no pooled connection became free in time"],
]);
// Driver adapter error kinds for connection failures that carry no SQLSTATE.
const UNAVAILABLE_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
// node-postgres raises these without a code when a connection dies or cannot be made in time.
const PG_CONNECTION_MESSAGE = /connection terminated|connection timeout|timeout exceeded when trying to connect|connection error and is not queryable|connection ended unexpectedly/i;

interface ErrorFacts {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly meta?: { driverAdapterError?: { cause?: { originalCode?: unknown; originalMessage?: unknown; kind?: unknown; message?: unknown } } };
}

/**
 * What an error from the PostgreSQL store means to its caller: a connection-class failure becomes
 * `StoreUnavailableError` (retry later), a data error the server raised for the values written
 * (SQLSTATE classes 22, 23 and 54) becomes `RecordRejectedError` (retrying cannot help); both keep
 * the original as `cause` and have a one-line message. Anything else is returned unchanged.
 */
export function classifyPgError(error: unknown, where: string): unknown {
  if (error instanceof AccountingError || typeof error !== "object" || error === null) return error;
  const facts = error as ErrorFacts;
  const adapter = facts.meta?.driverAdapterError?.cause;
  const code = typeof facts.code === "string" ? facts.code : "";
  const state = /^[0-9A-Z]{5}$/.test(code) && !code.startsWith("P") ? code : typeof adapter?.originalCode === "string" ? adapter.originalCode : "";
  const prismaReason = PRISMA_UNAVAILABLE.get(code);
  // Prisma's own message starts with where in our code it was called; the reason is its last line.
  const detail = oneLine(adapter?.originalMessage ?? adapter?.message) || prismaReason || (code.startsWith("P") ? lastLine(facts.message) : oneLine(facts.message));
  const connectionLost = NETWORK_CODES.has(code) || state.startsWith("08") || UNAVAILABLE_STATES.has(state) || UNAVAILABLE_KINDS.has(String(adapter?.kind));
  if (connectionLost || prismaReason || (!state && PG_CONNECTION_MESSAGE.test(detail))) {
    return new StoreUnavailableError(`PostgreSQL ${where} is unavailable: ${detail || code}`, { cause: error });
  }
  if (state.startsWith("22") || state.startsWith("23") || state.startsWith("54")) {
    return new RecordRejectedError(`PostgreSQL refused a value (${state}): ${detail}`, { cause: error });
  }
  return error;
}

/**
 * Makes every method of `store` (its own class and the classes it extends) except `skip` pass
 * its errors through `classify`. Done once per instance, so no method, present or added later,
 * can leak a raw driver error.
 */
export function classifyMethodErrors(store: object, skip: ReadonlySet<string>, classify: (error: unknown) => unknown): void {
  const target = store as Record<string, unknown>;
  for (let proto = Object.getPrototypeOf(store) as object | null; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, name);
      if (name === "constructor" || skip.has(name) || Object.hasOwn(target, name) || typeof descriptor?.value !== "function") continue;
      const method = descriptor.value as (...args: unknown[]) => unknown;
      target[name] = function (this: unknown, ...args: unknown[]): unknown {
        let result: unknown;
        try {
          result = method.apply(this, args);
        } catch (error) {
          throw classify(error);
        }
        const thenable = typeof (result as PromiseLike<unknown> | null)?.then === "function";
        return thenable ? Promise.resolve(result).catch((error: unknown) => Promise.reject(classify(error))) : result;
      };
    }
  }
}

function oneLine(value: unknown): string {
  return typeof value === "string" ? (value.split("\n").find((line) => line.trim() !== "") ?? "").trim() : "";
}

function lastLine(value: unknown): string {
  return typeof value === "string" ? (value.split("\n").findLast((line) => line.trim() !== "") ?? "").trim() : "";
}
