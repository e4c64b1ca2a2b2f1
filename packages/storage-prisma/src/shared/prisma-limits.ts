import { alertThresholdsFromText, alertThresholdsText, ConflictError, type NewQuotaRejection, type NewUsageLimit, type QuotaRejection, type UsageLimit } from "@llm-accounting/core";
import { limitFromRow } from "./limit-row.js";
import { prismaDate } from "./prisma-date.js";

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

/**
 * Inserts a limit, stamping created/updated at `now`, then its tag and alert thresholds (rows of
 * their own; a limit whose extra rows cannot be stored is deleted again); an identical limit
 * (all selectors set) is a conflict.
 */
export async function createLimit(limits: LimitDelegate, thresholds: ThresholdsDelegate, tags: LimitTagDelegate, limit: NewUsageLimit, now: Date): Promise<UsageLimit> {
  const { alertAt, tag, ...columns } = limit;
  let stored: UsageLimit;
  try {
    stored = limitFromRow(await limits.create({ data: { ...columns, createdAt: now, updatedAt: now } }), prismaDate);
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
