import { alertThresholdsFromText, alertThresholdsText, ConflictError, type IntervalUnit, type LimitFilter, type LimitScope, type LimitType, type NewQuotaRejection, type NewUsageLimit, type QuotaRejection, type UsageLimit } from "@llm-accounting/core";

/** A `usage_limits` row as both generated Prisma clients return it. */
interface LimitRow {
  id: number;
  scope: string;
  limitType: string;
  maxValue: number;
  intervalUnit: string;
  intervalValue: number;
  model: string | null;
  username: string | null;
  callerName: string | null;
  projectName: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The part of Prisma's `usageLimit` delegate the stores use (identical in both clients). */
export interface LimitDelegate {
  create(args: { data: Omit<LimitRow, "id"> }): PromiseLike<LimitRow>;
  findMany(args: { where: Partial<Pick<LimitRow, "scope" | "model" | "username" | "callerName" | "projectName">>; orderBy: { id: "asc" } }): PromiseLike<LimitRow[]>;
  deleteMany(args: { where: { id: number } }): PromiseLike<{ count: number }>;
}

/** The part of Prisma's `limitAlertThresholds` delegate the stores use. */
export interface ThresholdsDelegate {
  create(args: { data: { limitId: number; alertAt: string } }): PromiseLike<unknown>;
  deleteMany(args: { where: { limitId: number } }): PromiseLike<{ count: number }>;
}

/** The part of Prisma's `limitTag` delegate the stores use (a TAG limit's tag). */
export interface LimitTagDelegate {
  create(args: { data: { limitId: number; key: string; value: string } }): PromiseLike<unknown>;
  deleteMany(args: { where: { limitId: number } }): PromiseLike<{ count: number }>;
}

/** The part of Prisma's `quotaRejection` delegate the stores use. */
export interface RejectionDelegate {
  create(args: { data: { createdAt: Date; session: string; rejectionMessage: string } }): PromiseLike<{ id: number }>;
  findMany(args: { where: { session?: string }; orderBy: ({ createdAt: "desc" } | { id: "desc" })[] }): PromiseLike<{ id: number; createdAt: Date; session: string; rejectionMessage: string }[]>;
}

const toLimit = (row: LimitRow): UsageLimit => ({
  ...row,
  scope: row.scope as LimitScope,
  limitType: row.limitType as LimitType,
  intervalUnit: row.intervalUnit as IntervalUnit,
});

/**
 * Inserts a limit, stamping created/updated at `now`, then its tag and alert thresholds (rows of
 * their own; a limit whose extra rows cannot be stored is deleted again); an identical limit
 * (all selectors set) is a conflict.
 */
export async function createLimit(limits: LimitDelegate, thresholds: ThresholdsDelegate, tags: LimitTagDelegate, limit: NewUsageLimit, now: Date): Promise<UsageLimit> {
  const { alertAt, tag, ...columns } = limit;
  let stored: UsageLimit;
  try {
    stored = toLimit(await limits.create({ data: { ...columns, createdAt: now, updatedAt: now } }));
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") {
      throw new ConflictError("a limit with the same scope, limit type, model, username, caller and project already exists", { cause: error });
    }
    throw error;
  }
  if (tag) {
    try {
      await tags.create({ data: { limitId: stored.id, key: tag.key, value: tag.value } });
    } catch (error) {
      await limits.deleteMany({ where: { id: stored.id } });
      throw error;
    }
    stored = { ...stored, tag: { key: tag.key, value: tag.value } };
  }
  const text = alertThresholdsText(alertAt);
  if (text === null) return stored;
  try {
    await thresholds.create({ data: { limitId: stored.id, alertAt: text } });
  } catch (error) {
    await limits.deleteMany({ where: { id: stored.id } });
    await tags.deleteMany({ where: { limitId: stored.id } });
    throw error;
  }
  return { ...stored, alertAt: alertThresholdsFromText(text) };
}

/** Limits matching every given equality filter, oldest first. */
export async function findLimits(limits: LimitDelegate, filter: LimitFilter = {}): Promise<UsageLimit[]> {
  const where = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined));
  return (await limits.findMany({ where, orderBy: { id: "asc" } })).map(toLimit);
}

/** Deletes a limit, its tag and its alert thresholds by id; false when there was none. */
export async function removeLimit(limits: LimitDelegate, thresholds: ThresholdsDelegate, tags: LimitTagDelegate, id: number): Promise<boolean> {
  const deleted = (await limits.deleteMany({ where: { id } })).count > 0;
  await thresholds.deleteMany({ where: { limitId: id } });
  await tags.deleteMany({ where: { limitId: id } });
  return deleted;
}

/** Records a quota rejection. */
export async function createRejection(rejections: RejectionDelegate, rejection: NewQuotaRejection): Promise<number> {
  const row = await rejections.create({ data: { createdAt: rejection.createdAt, session: rejection.session, rejectionMessage: rejection.message } });
  return row.id;
}

/** Rejections, newest first, optionally of one session. */
export async function findRejections(rejections: RejectionDelegate, session?: string): Promise<QuotaRejection[]> {
  const rows = await rejections.findMany({ where: session === undefined ? {} : { session }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
  return rows.map((r) => ({ id: r.id, createdAt: r.createdAt, session: r.session, message: r.rejectionMessage }));
}

/** The columns of `usage_limits` in filter order, and the SQL that lists them (for stores that read limits without Prisma). */
export const LIMIT_FILTER_COLUMNS = [
  ["scope", "scope"],
  ["model", "model"],
  ["username", "username"],
  ["callerName", "caller_name"],
  ["projectName", "project_name"],
] as const satisfies readonly (readonly [keyof LimitFilter, string])[];

/** SELECT of every limit matching the filter, oldest first; `placeholder(n)` spells the n-th parameter. */
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
  const columns = "l.id, l.scope, l.limit_type, l.max_value, l.interval_unit, l.interval_value, l.model, l.username, l.caller_name, l.project_name, l.created_at, l.updated_at, t.alert_at, g.key AS tag_key, g.value AS tag_value";
  const sql = `SELECT ${columns} FROM usage_limits l LEFT JOIN limit_alert_thresholds t ON t.limit_id = l.id LEFT JOIN limit_tags g ON g.limit_id = l.id${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY l.id`;
  return { sql, params };
}

/** A `usage_limits` row read with plain SQL, as a limit; `date` decodes the driver's timestamps. */
export function limitFromSqlRow(r: Record<string, unknown>, date: (value: unknown) => Date): UsageLimit {
  return {
    id: Number(r.id),
    scope: r.scope as LimitScope,
    limitType: r.limit_type as LimitType,
    maxValue: Number(r.max_value),
    intervalUnit: r.interval_unit as IntervalUnit,
    intervalValue: Number(r.interval_value),
    model: r.model as string | null,
    username: r.username as string | null,
    callerName: r.caller_name as string | null,
    projectName: r.project_name as string | null,
    ...(typeof r.alert_at === "string" && { alertAt: alertThresholdsFromText(r.alert_at) }),
    ...(typeof r.tag_key === "string" && typeof r.tag_value === "string" && { tag: { key: r.tag_key, value: r.tag_value } }),
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
  };
}
