import type pg from "pg";
import { QueryRejectedError } from "@llm-accounting/core";
import { FIRST_USER_OID } from "./query-tree.js";

interface TypeFacts {
  readonly oid: number;
  readonly name: string | null;
  readonly typtype: string | null;
  readonly builtin: boolean;
  readonly support_builtin: boolean | null;
  readonly constrained: boolean;
  readonly user_cast: boolean;
  readonly user_opclass: boolean;
}

/** Why a type may not be used in `select` (its own code could run unseen), or null when it may. */
export function typeRefusal(t: TypeFacts): string | null {
  if (t.typtype === null) return `cannot check type ${t.oid} it uses`;
  // initdb's types (pg_catalog and information_schema's domains) run only built-in code.
  if (t.builtin) return null;
  if (!t.support_builtin) return `type ${t.name} has input/output functions that are not built in`;
  if (t.constrained) return `type ${t.name} is a domain with constraints, which run code the query does not show`;
  if (t.user_cast) return `type ${t.name} has a user-defined cast, which functions such as to_json call unseen`;
  if (t.user_opclass) return `type ${t.name} has a user-defined operator class, whose comparisons run unseen`;
  // Domains, composites, arrays and enums are checked through their parts (below); a user range
  // or multirange brings canonical and difference functions of its own.
  if (!["d", "c", "b", "e"].includes(t.typtype)) return `type ${t.name} is not built in`;
  return null;
}

/**
 * Refuses the query unless every type it uses, and every type those are built from (a domain's
 * base type, an array's element type, a row type's columns), runs only built-in code when a value
 * is read, written as text, checked against a domain, cast implicitly or compared. Types the
 * catalog does not know are refused.
 */
export async function screenTypes(client: pg.Client, types: number[]): Promise<void> {
  if (types.length === 0) return;
  const found = await client.query<TypeFacts>(
    `WITH RECURSIVE parts(oid) AS (
       SELECT unnest($1::oid[])
       UNION
       SELECT part FROM parts p JOIN pg_type t ON t.oid = p.oid,
         LATERAL (SELECT t.typbasetype WHERE t.typtype = 'd'
                  UNION ALL SELECT t.typelem WHERE t.typelem <> 0
                  UNION ALL SELECT a.atttypid FROM pg_attribute a
                             WHERE t.typrelid <> 0 AND a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) AS x(part)
     )
     SELECT p.oid::int8::float8 AS oid, format_type(t.oid, NULL) AS name, t.typtype::text AS typtype,
            p.oid < $2::oid AS builtin,
            (SELECT bool_and(f::oid < $2::oid) FROM unnest(ARRAY[t.typinput::oid, t.typoutput::oid, t.typreceive::oid,
               t.typsend::oid, t.typmodin::oid, t.typmodout::oid, t.typanalyze::oid, t.typsubscript::oid]) AS f) AS support_builtin,
            EXISTS (SELECT 1 FROM pg_constraint c WHERE c.contypid = p.oid) AS constrained,
            EXISTS (SELECT 1 FROM pg_cast c WHERE c.castsource = p.oid AND c.castfunc >= $2::oid) AS user_cast,
            EXISTS (SELECT 1 FROM pg_opclass c WHERE c.opcintype = p.oid AND c.oid >= $2::oid) AS user_opclass
       FROM parts p LEFT JOIN pg_type t ON t.oid = p.oid`,
    [types, FIRST_USER_OID],
  );
  for (const t of found.rows) {
    const refusal = typeRefusal(t);
    if (refusal) throw new QueryRejectedError(`query rejected: ${refusal}`);
  }
}

// Relation kinds whose rows a scan reads from the database itself: tables, partitioned tables,
// views (expanded in the tree already), materialized views and sequences.
const READABLE_KINDS = new Set(["r", "p", "v", "m", "S"]);

interface RelationFacts {
  readonly oid: number;
  readonly name: string | null;
  readonly relkind: string | null;
}

/** Why a relation may not be scanned in `select`, or null when it may. */
export function relationRefusal(r: RelationFacts): string | null {
  if (r.relkind === null) return `cannot check relation ${r.oid} it reads`;
  if (r.relkind === "f") return `${r.name} is a foreign table: reading it runs its foreign-data wrapper (a program, a file, another server)`;
  if (!READABLE_KINDS.has(r.relkind)) return `cannot read relation ${r.name} of kind ${r.relkind}`;
  return null;
}

/**
 * Refuses the query if a relation it scans, or any partition or inheritance child the planner
 * adds to that scan, is a foreign table or a relation the catalog does not know.
 */
export async function screenRelations(client: pg.Client, relations: number[]): Promise<void> {
  if (relations.length === 0) return;
  const found = await client.query<RelationFacts>(
    `WITH RECURSIVE scanned(oid) AS (
       SELECT unnest($1::oid[])
       UNION
       SELECT i.inhrelid FROM pg_inherits i JOIN scanned s ON i.inhparent = s.oid
     )
     SELECT s.oid::int8::float8 AS oid, c.oid::regclass::text AS name, c.relkind::text AS relkind
       FROM scanned s LEFT JOIN pg_class c ON c.oid = s.oid`,
    [relations],
  );
  for (const r of found.rows) {
    const refusal = relationRefusal(r);
    if (refusal) throw new QueryRejectedError(`query rejected: ${refusal}`);
  }
}
