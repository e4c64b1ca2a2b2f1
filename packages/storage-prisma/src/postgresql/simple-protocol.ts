import { createHash } from "node:crypto";
import pg from "pg";

/**
 * Several statements in one round trip. node-postgres sends one query at a time and only the
 * simple protocol carries more than one statement, without parameters; so statements that need
 * values are prepared once per connection with SQL `PREPARE` (planned once, like a named
 * statement) and run as `EXECUTE name(literal, ...)` among the others.
 */

const prepared = new WeakMap<pg.ClientBase, Set<string>>();
/**
 * Stable names for statement texts under `prefix`, one per text (a statement is prepared once per
 * connection and name). SQL PREPARE names and protocol-level ones share a namespace: give each
 * kind its own prefix.
 */
export function statementNamer(prefix: string): (sql: string) => string {
  const names = new Map<string, string>();
  return (sql) => {
    let name = names.get(sql);
    if (!name) {
      name = `${prefix}${createHash("sha1").update(sql).digest("hex").slice(0, 16)}`;
      if (names.size > 1000) names.clear();
      names.set(sql, name);
    }
    return name;
  };
}

const preparedName = statementNamer("llm_acct_x_");

/**
 * `EXECUTE` text for `sql` with `values` on this connection, preparing it first (one round trip,
 * once per connection and text). Must run outside a transaction that may fail before using it.
 */
export async function executeText(client: pg.ClientBase, sql: string, values: readonly unknown[]): Promise<string> {
  const name = preparedName(sql);
  let done = prepared.get(client);
  if (!done) prepared.set(client, (done = new Set()));
  if (!done.has(name)) {
    await client.query(`PREPARE ${name} AS ${sql}`);
    done.add(name);
  }
  return values.length === 0 ? `EXECUTE ${name}` : `EXECUTE ${name}(${values.map(literal).join(", ")})`;
}

/** Whether `sql` is already prepared on this connection (so `executeText` costs no round trip). */
export function isPrepared(client: pg.ClientBase, sql: string): boolean {
  return prepared.get(client)?.has(preparedName(sql)) ?? false;
}

/** A value as an SQL literal; its type comes from the prepared statement's parameter. */
export function literal(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`cannot send ${value} to PostgreSQL`);
    return String(value);
  }
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value instanceof Date) return `'${value.toISOString()}'`;
  if (typeof value === "string") return quoted(value);
  if (Array.isArray(value)) return quoted(`{${arrayElements(value)}}`);
  throw new TypeError(`cannot send a ${typeof value} to PostgreSQL`);
}

/** A string literal: pg's escaping (character by character) only when the text needs it; a guarded write sends kilobytes of literals. */
function quoted(text: string): string {
  return NEEDS_ESCAPING.test(text) ? pg.escapeLiteral(text) : `'${text}'`;
}
const NEEDS_ESCAPING = /['\\]/;

/** The elements of an array literal, comma-separated. */
function arrayElements(values: readonly unknown[]): string {
  let text = "";
  for (let i = 0; i < values.length; i++) text += (i === 0 ? "" : ",") + arrayElement(values[i]);
  return text;
}

/** One element of an array literal: bare when the array parser reads it back unchanged, else quoted. */
function arrayElement(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`cannot send ${value} to PostgreSQL`);
    return String(value);
  }
  if (typeof value === "bigint") return value.toString();
  // An instant's ISO form holds only digits, '-', '+', ':', 'T', '.' and 'Z': nothing the parser reads specially.
  if (value instanceof Date) return value.toISOString();
  const text = String(value);
  // Most names are plain words: skip the quoting (a guarded write sends hundreds of elements).
  if (BARE_ELEMENT.test(text) && !/^null$/i.test(text)) return text;
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}
// Characters an unquoted array element may hold as they are (no braces, commas, quotes, backslashes or spaces).
const BARE_ELEMENT = /^[A-Za-z0-9_.:@+\-]+$/;
