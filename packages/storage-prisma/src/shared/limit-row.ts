import { alertThresholdsFromText, type IntervalUnit, type LimitFilter, type LimitScope, type LimitType, type UsageLimit } from "@llm-accounting/core";

/**
 * A `usage_limits` row under Prisma's field names, with its alert thresholds and tag when read
 * with `listLimitsSql`; values as any driver returns them (the mapper converts).
 */
export type LimitRowValues = {
  readonly [field in "id" | "scope" | "limitType" | "maxValue" | "intervalUnit" | "intervalValue" | "model" | "username" | "callerName" | "projectName" | "createdAt" | "updatedAt" | "alertAt" | "tagKey" | "tagValue"]?: unknown;
};

/** A `usage_limits` row as a limit, whether Prisma or plain SQL read it; `date` decodes the driver's timestamps. */
export function limitFromRow(r: LimitRowValues, date: (value: unknown) => Date): UsageLimit {
  return {
    id: Number(r.id),
    scope: r.scope as LimitScope,
    limitType: r.limitType as LimitType,
    maxValue: Number(r.maxValue),
    intervalUnit: r.intervalUnit as IntervalUnit,
    intervalValue: Number(r.intervalValue),
    model: r.model as string | null,
    username: r.username as string | null,
    callerName: r.callerName as string | null,
    projectName: r.projectName as string | null,
    ...(typeof r.alertAt === "string" && { alertAt: alertThresholdsFromText(r.alertAt) }),
    ...(typeof r.tagKey === "string" && typeof r.tagValue === "string" && { tag: { key: r.tagKey, value: r.tagValue } }),
    createdAt: date(r.createdAt),
    updatedAt: date(r.updatedAt),
  };
}

/** The columns of `usage_limits` in filter order. */
const LIMIT_FILTER_COLUMNS = [
  ["scope", "scope"],
  ["model", "model"],
  ["username", "username"],
  ["callerName", "caller_name"],
  ["projectName", "project_name"],
] as const satisfies readonly (readonly [keyof LimitFilter, string])[];

// Named as Prisma names the fields, so `limitFromRow` reads both paths' rows.
const LIMIT_SELECT =
  'l.id, l.scope, l.limit_type AS "limitType", l.max_value AS "maxValue", l.interval_unit AS "intervalUnit", l.interval_value AS "intervalValue", ' +
  'l.model, l.username, l.caller_name AS "callerName", l.project_name AS "projectName", l.created_at AS "createdAt", l.updated_at AS "updatedAt", ' +
  't.alert_at AS "alertAt", g.key AS "tagKey", g.value AS "tagValue"';

/** SELECT of every limit matching the filter with its thresholds and tag, oldest first; `placeholder(n)` spells the n-th parameter. */
export function listLimitsSql(filter: LimitFilter, placeholder: (n: number) => string): { sql: string; params: string[] } {
  const where: string[] = [];
  const params: string[] = [];
  for (const [field, column] of LIMIT_FILTER_COLUMNS) {
    const value = filter[field] as string | null | undefined;
    if (value === undefined) continue;
    // As Prisma's equality filter: null matches the rows where the column is NULL.
    if (value === null) where.push(`l.${column} IS NULL`);
    else where.push(`l.${column} = ${placeholder(params.push(value))}`);
  }
  const sql = `SELECT ${LIMIT_SELECT} FROM usage_limits l LEFT JOIN limit_alert_thresholds t ON t.limit_id = l.id LEFT JOIN limit_tags g ON g.limit_id = l.id${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY l.id`;
  return { sql, params };
}
