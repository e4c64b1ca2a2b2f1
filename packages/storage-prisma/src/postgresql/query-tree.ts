// Reads the ids a printed query tree (PostgreSQL 15's `debug_print_rewritten` output) refers to.
// Every field that prints a number or an OID list is classified below; a field this module does
// not know is reported, and the screen refuses the query, so a server that adds a field naming a
// function, type or relation fails closed instead of slipping past the check.

// Objects initdb creates have ids below this (PostgreSQL's FirstNormalObjectId); anything a user,
// a superuser or an extension creates later is above it, even when placed in pg_catalog.
export const FIRST_USER_OID = 16384;

// Fields naming a function the executor (or planner) calls.
const FUNCTION_FIELDS = new Set(["funcid", "aggfnoid", "winfnoid", "opfuncid", "hashfuncid", "negfuncid", "tsmhandler", "startInRangeFunc", "endInRangeFunc"]);
// Fields naming an operator, whose function runs.
const OPERATOR_FIELDS = new Set(["opno", "eqop", "sortop", "cycle_mark_neop", "opnos"]);
// Fields naming a type: its input/output functions, domain constraints, casts and default
// comparison functions may run without appearing anywhere else in the tree.
const TYPE_FIELDS = new Set([
  "vartype", "consttype", "paramtype", "aggtype", "aggtranstype", "aggargtypes", "wintype",
  "refcontainertype", "refelemtype", "refrestype", "funcresulttype", "opresulttype", "resulttype",
  "casetype", "typeId", "array_typeid", "element_typeid", "row_typeid", "coalescetype", "minmaxtype",
  "type", "typid", "typeOid", "coltypes", "ctecoltypes", "funccoltypes", "colTypes", "cycle_mark_type",
]);
// Fields naming a relation that is scanned.
const RELATION_FIELDS = new Set(["relid"]);
// OID fields that call nothing: collations (built-in comparison by the collation provider), the
// role permissions are checked as, constraint ids a GROUP BY relies on, operator families of a
// row comparison (its operators are listed in `opnos`), the table a column came from (it is also
// in the range table when read), ON CONFLICT targets (never in a SELECT).
const INERT_OID_FIELDS = new Set([
  "varcollid", "constcollid", "paramcollid", "aggcollid", "inputcollid", "wincollid", "funccollid",
  "opcollid", "resultcollid", "collOid", "casecollid", "collation", "array_collid", "coalescecollid",
  "minmaxcollid", "refcollid", "inRangeColl", "cycle_mark_collation", "inputcollids", "colCollations",
  "ctecolcollations", "funccolcollations", "colcollations", "infercollid", "checkAsUser",
  "constraintDeps", "opfamilies", "resorigtbl", "inferopclass", "constraint", "target_relid", "seqid",
]);
// Numeric fields that are not object ids: counts, positions, typmods, enum codes, flags.
const PLAIN_NUMBER_FIELDS = new Set([
  "commandType", "querySource", "resultRelation", "limitOption", "stmt_location", "stmt_len", "override",
  "rtekind", "rellockmode", "requiredPerms", "jointype", "joinmergedcols", "ctelevelsup", "enrtuples",
  "funccolcount", "rtindex", "resno", "ressortgroupref", "resorigcol", "varno", "varattno", "vartypmod",
  "varlevelsup", "varnosyn", "varattnosyn", "location", "consttypmod", "constlen", "constvalue",
  "paramkind", "paramid", "paramtypmod", "aggsplit", "agglevelsup", "aggno", "aggtransno", "winref",
  "reftypmod", "funcformat", "argnumber", "subLinkType", "subLinkId", "fieldnum", "resulttypmod",
  "relabelformat", "coerceformat", "convertformat", "typeMod", "row_format", "rctype", "op", "typmod",
  "xmloption", "nulltesttype", "booltesttype", "coercionformat", "cvarno", "cursor_param",
  "tleSortGroupRef", "kind", "frameOptions", "rti", "strength", "waitPolicy", "ctematerialized",
  "cterefcount", "cycle_mark_typmod", "ordinalitycol", "action", "exclRelIndex", "typemod",
  "coltypmods", "ctecoltypmods", "funccoltypmods", "colTypmods", "refs", "cols", "updateColnos",
  "joinleftcols", "joinrightcols", "fieldnums", "content",
]);

// `:name value` where the value is a number or a list; strings in the tree escape their spaces
// with a backslash, so user text (an alias, a literal) cannot forge a field here.
const FIELD = /(?<=^|[\s{(]):([A-Za-z_][A-Za-z0-9_]*)\s+(-?\d[^\s(){}]*|\([oi](?:\s+-?\d+)*\s*\))/g;

/** The ids a printed query tree names, by kind, and the numeric fields this module cannot classify. */
export interface TreeIds {
  readonly functions: number[];
  readonly operators: number[];
  readonly types: number[];
  readonly relations: number[];
  readonly unknownFields: string[];
}

/** Collects the function, operator, type and relation ids of a printed query tree. */
export function treeIds(tree: string): TreeIds {
  const sets = { functions: new Set<number>(), operators: new Set<number>(), types: new Set<number>(), relations: new Set<number>() };
  const unknown = new Set<string>();
  for (const [, name, value] of tree.matchAll(FIELD)) {
    const target = FUNCTION_FIELDS.has(name!)
      ? sets.functions
      : OPERATOR_FIELDS.has(name!)
        ? sets.operators
        : TYPE_FIELDS.has(name!)
          ? sets.types
          : RELATION_FIELDS.has(name!)
            ? sets.relations
            : null;
    if (target) {
      for (const id of value!.replace(/^\([oi]/, "").replace(/\)$/, "").trim().split(/\s+/).filter(Boolean)) target.add(Number(id));
    } else if (!INERT_OID_FIELDS.has(name!) && !PLAIN_NUMBER_FIELDS.has(name!)) {
      unknown.add(name!);
    }
  }
  // 0 is InvalidOid: "no function", "no type".
  for (const set of Object.values(sets)) set.delete(0);
  return {
    functions: [...sets.functions],
    operators: [...sets.operators],
    types: [...sets.types],
    relations: [...sets.relations],
    unknownFields: [...unknown],
  };
}
