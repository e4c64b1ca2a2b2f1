import { ConflictError, type IntervalUnit, type LimitFilter, type LimitScope, type LimitType, type NewQuotaRejection, type NewUsageLimit, type QuotaRejection, type UsageLimit } from "@llm-accounting/core";

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

/** Inserts a limit, stamping created/updated at `now`; an identical limit (all selectors set) is a conflict. */
export async function createLimit(limits: LimitDelegate, limit: NewUsageLimit, now: Date): Promise<UsageLimit> {
  try {
    return toLimit(await limits.create({ data: { ...limit, createdAt: now, updatedAt: now } }));
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") {
      throw new ConflictError("a limit with the same scope, limit type, model, username, caller and project already exists", { cause: error });
    }
    throw error;
  }
}

/** Limits matching every given equality filter, oldest first. */
export async function findLimits(limits: LimitDelegate, filter: LimitFilter = {}): Promise<UsageLimit[]> {
  const where = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined));
  return (await limits.findMany({ where, orderBy: { id: "asc" } })).map(toLimit);
}

/** Deletes a limit by id; false when there was none. */
export async function removeLimit(limits: LimitDelegate, id: number): Promise<boolean> {
  return (await limits.deleteMany({ where: { id } })).count > 0;
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
