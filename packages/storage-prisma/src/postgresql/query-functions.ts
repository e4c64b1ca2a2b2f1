import type pg from "pg";
import { QueryRejectedError } from "@llm-accounting/core";
import { FIRST_USER_OID, treeIds } from "./query-tree.js";
import { screenRelations, screenTypes } from "./query-types.js";

// Volatile built-ins that only compute a value: nothing outside the query sees them run.
const HARMLESS_VOLATILE = new Set([
  "random",
  "clock_timestamp",
  "timeofday",
  "gen_random_uuid",
  "pg_database_size",
  "pg_relation_size",
  "pg_total_relation_size",
  "pg_table_size",
  "pg_indexes_size",
]);

// Stable built-ins that still must not run: the *_to_xml family executes SQL text of its own
// (which would escape this screen), and the xact-id functions assign a transaction id.
const DENIED_STABLE = new Set([
  "query_to_xml",
  "query_to_xmlschema",
  "query_to_xml_and_xmlschema",
  "cursor_to_xml",
  "cursor_to_xmlschema",
  "table_to_xml",
  "table_to_xmlschema",
  "table_to_xml_and_xmlschema",
  "schema_to_xml",
  "schema_to_xmlschema",
  "schema_to_xml_and_xmlschema",
  "database_to_xml",
  "database_to_xmlschema",
  "database_to_xml_and_xmlschema",
  "pg_current_xact_id",
  "txid_current",
]);

interface CalledFunction {
  readonly via: "function" | "operator";
  readonly oid: number;
  readonly proname: string;
  readonly nspname: string;
  readonly provolatile: string;
  readonly builtin: boolean;
}

/** Why a called function may not run in `select`, or null when it may. */
export function functionRefusal(f: CalledFunction): string | null {
  if (f.via === "operator" && (f.nspname !== "pg_catalog" || !f.builtin)) return `operator ${f.nspname}.${f.proname} is not built in (only pg_catalog operators may run)`;
  if (f.nspname !== "pg_catalog" || !f.builtin) return `function ${f.nspname}.${f.proname} is not built in (only pg_catalog functions may run)`;
  const pure = f.provolatile === "i" || f.provolatile === "s";
  if ((pure && !DENIED_STABLE.has(f.proname)) || HARMLESS_VOLATILE.has(f.proname)) return null;
  return `function ${f.proname} may change or read outside the database`;
}

/**
 * Refuses the query unless everything its tree shows it running is harmless: every function (called
 * directly, through an operator, in a view, CTE, subquery, LIMIT or ORDER BY: the tree has them
 * all), every type (whose I/O, domain checks, casts and comparisons run unseen) and every relation
 * scanned. Ids the catalog does not know, and tree fields this code does not know, are refused: the
 * check fails closed.
 */
export async function screenQueryTree(client: pg.Client, tree: string): Promise<void> {
  const ids = treeIds(tree);
  if (ids.unknownFields.length > 0) throw new QueryRejectedError(`query rejected: cannot check the query tree's field ${ids.unknownFields[0]}`);
  await screenCalledFunctions(client, ids.functions, ids.operators);
  await screenTypes(client, ids.types);
  await screenRelations(client, ids.relations);
}

/** Refuses the query unless every function and operator id is a harmless built-in. */
async function screenCalledFunctions(client: pg.Client, functions: number[], operators: number[]): Promise<void> {
  if (functions.length === 0 && operators.length === 0) return;
  const found = await client.query<CalledFunction>(
    `SELECT p.oid::int8::float8 AS oid, p.proname, n.nspname, p.provolatile, 'function' AS via, p.oid < $3::oid AS builtin
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.oid = ANY($1::oid[])
     UNION ALL
     SELECT o.oid::int8::float8, p.proname, n.nspname, p.provolatile, 'operator', o.oid < $3::oid AND p.oid < $3::oid
       FROM pg_operator o JOIN pg_proc p ON p.oid = o.oprcode::oid JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE o.oid = ANY($2::oid[]) AND o.oprnamespace = 'pg_catalog'::regnamespace
     UNION ALL
     -- The planner also calls an operator's estimators: a user-defined operator is refused as such.
     SELECT o.oid::int8::float8, o.oprname::text, n.nspname, 'v', 'operator', false
       FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace
      WHERE o.oid = ANY($2::oid[]) AND o.oprnamespace <> 'pg_catalog'::regnamespace`,
    [functions, operators, FIRST_USER_OID],
  );
  for (const f of found.rows) {
    const refusal = functionRefusal(f);
    if (refusal) throw new QueryRejectedError(`query rejected: ${refusal}`);
  }
  const known = new Set(found.rows.map((f) => `${f.via}:${Number(f.oid)}`));
  const unknown = [...functions.map((id) => `function:${id}`), ...operators.map((id) => `operator:${id}`)].find((key) => !known.has(key));
  if (unknown) throw new QueryRejectedError(`query rejected: cannot check ${unknown.replace(":", " ")} it calls`);
}
