import { type AdmissionBound, type LimitType, type UsageQuery } from "@llm-accounting/core";
import { bucketSumsParts, LIMITS_VERSION_ROW, LIMITS_VERSION_SQL } from "../shared/quota-buckets.js";
import type { QuotaSqlStatement } from "../shared/quota-sql.js";
import { PG_BUCKET_DIALECT } from "./pg-quota-buckets.js";

/** The `q` of the row carrying the id the admitted write returned (absent when nothing was written). */
export const ADMITTED_ID_ROW = -3;

/** A row an admission writes: its table and columns, their values, and its tags (JSON text or null). */
export interface AdmittedInsert {
  readonly table: "accounting_entries" | "quota_reservations";
  readonly columns: readonly string[];
  readonly values: readonly unknown[];
  readonly tags: string | null;
}

const TAG_TABLES = { accounting_entries: ["usage_tags", "entry_id"], quota_reservations: ["quota_reservation_tags", "reservation_id"] } as const;
// The column of the summed rows (see bucketSumsParts) each limit type bounds.
const TYPE_CODES: Record<LimitType, number> = { requests: 0, input_tokens: 1, output_tokens: 2, total_tokens: 3, cost: 4 };

/**
 * One statement that sums every query, checks the admission's bounds and the limits version on
 * those sums, and writes the row (and its tags) only if all hold: the decision is taken on the
 * server, so the limits' locks are never held across a round trip to the process. Its rows are the
 * limits version row (`LIMITS_VERSION_ROW`) and, when it wrote, `ADMITTED_ID_ROW` with the new id
 * as `requests`. Every list travels as an array, so the text (and plan) is one
 * per write table, tagged or not.
 */
export function admissionStatement(queries: readonly UsageQuery[], filterIds: readonly (number | null)[], now: Date, bounds: readonly AdmissionBound[], limitsVersion: number, insert: AdmittedInsert): QuotaSqlStatement {
  const { ctes, select, params } = bucketSumsParts(PG_BUCKET_DIALECT, queries, filterIds, now);
  const values = [...params];
  const add = (value: unknown, type?: string) => `$${values.push(value)}${type ? `::${type}` : ""}`;
  const boundsRows = `unnest(${add(bounds.map((b) => b.query), "int[]")}, ${add(bounds.map((b) => TYPE_CODES[b.type]), "int[]")}, ${add(bounds.map((b) => b.ceiling.toString()), "numeric[]")}) AS c (q, t, ceiling)`;
  const used = "CASE c.t WHEN 0 THEN tot.requests WHEN 1 THEN tot.input_tokens WHEN 2 THEN tot.output_tokens WHEN 3 THEN tot.total_tokens ELSE tot.cost_nanos END";
  const version = add(limitsVersion, "bigint");
  // Parameter types of the written values come from the table's columns.
  const written = insert.columns.map((_, i) => add(insert.values[i])).join(", ");
  const [tagTable, tagId] = TAG_TABLES[insert.table];
  const sql =
    `${ctes}, s AS (${select}), ` +
    "tot AS (SELECT q, SUM(requests) AS requests, SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens, SUM(total_tokens) AS total_tokens, SUM(cost_nanos) AS cost_nanos FROM s GROUP BY q), " +
    // A query without rows summed nothing; no bounds at all admit (every applicable limit is unlimited).
    `adm AS (SELECT COALESCE(bool_and(COALESCE(${used}, 0) <= c.ceiling), true) AND (${LIMITS_VERSION_SQL}) = ${version} AS ok FROM ${boundsRows} LEFT JOIN tot ON tot.q = c.q), ` +
    `ins AS (INSERT INTO ${insert.table} (${insert.columns.join(", ")}) SELECT ${written} FROM adm WHERE adm.ok RETURNING id) ` +
    // An untagged row's text has no tag insert: an INSERT of no rows still fires the tag table's statement triggers.
    (insert.tags === null ? "" : `, tg AS (INSERT INTO ${tagTable} (${tagId}, key, value) SELECT ins.id, t.key, t.value FROM ins, jsonb_each_text(${add(insert.tags, "jsonb")}) AS t) `) +
    // Only the version and the id come back: a refusal is decided again on fresh sums anyway.
    `SELECT ${LIMITS_VERSION_ROW} AS q, (${LIMITS_VERSION_SQL}) AS requests UNION ALL SELECT ${ADMITTED_ID_ROW}, id FROM ins`;
  // The text is the same at every call for a table: keep one string, whose hash the prepared
  // statements' lookup then computes once rather than over kilobytes at every write.
  const key = insert.tags === null ? insert.table : `${insert.table} tagged`;
  let text = TEXTS.get(key);
  if (text !== sql) TEXTS.set(key, (text = sql));
  return { sql: text, params: values };
}

const TEXTS = new Map<string, string>();

/** The rows of `admissionStatement`: the id written (null when refused) and the limits version read. */
export function admissionOutcome(rows: readonly Record<string, unknown>[]): { id: number | null; limitsVersion: number } {
  let id: number | null = null;
  let limitsVersion = 0;
  for (const row of rows) {
    if (Number(row.q) === ADMITTED_ID_ROW) id = Number(row.requests);
    else if (Number(row.q) === LIMITS_VERSION_ROW) limitsVersion = Number(row.requests);
  }
  return { id, limitsVersion };
}
