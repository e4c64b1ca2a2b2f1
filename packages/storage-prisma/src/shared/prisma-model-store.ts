import type {
  AuditEntry,
  ModelPrice,
  NewModelPrice,
  TimeRange,
  AuditFilter,
  LimitFilter,
  NewAuditEntry,
  NewQuotaRejection,
  NewUsageLimit,
  NewUser,
  QuotaRejection,
  UsageLimit,
  UsageRecord,
  TailFilter,
  UserChanges,
  UserRecord,
} from "@llm-accounting/core";
import { createAuditEntry, findAuditEntries, type AuditDelegate } from "./prisma-audit.js";
import { entriesInRange, tailEntries, type EntryDelegate } from "./prisma-entries.js";
import { createPrice, findPrices, removePrice, type PriceDelegate } from "./prisma-prices.js";
import { createLimit, createRejection, findRejections, removeLimit, type LimitDelegate, type LimitTagDelegate, type RejectionDelegate, type ThresholdsDelegate } from "./prisma-limits.js";
import { PrismaRegistry, type ProjectDelegate, type UserDelegate } from "./prisma-registry.js";

/** The Prisma model delegates the stores share; both generated clients provide them. */
export interface PrismaModels {
  readonly accountingEntry: EntryDelegate;
  readonly usageLimit: LimitDelegate;
  readonly limitAlertThresholds: ThresholdsDelegate;
  readonly limitTag: LimitTagDelegate;
  readonly quotaRejection: RejectionDelegate;
  readonly auditLogEntry: AuditDelegate;
  readonly project: ProjectDelegate;
  readonly user: UserDelegate;
  readonly modelPrice: PriceDelegate;
}

/**
 * The part of a store that Prisma's query builder expresses the same way for every provider:
 * tail, limits, rejections, the audit log and the registries. Subclasses add the hot paths
 * and anything that needs their own SQL.
 */
export abstract class PrismaModelStore {
  /** The opened client's model delegates. */
  protected abstract models(): Promise<PrismaModels>;

  readonly #registry = new PrismaRegistry(
    async () => (await this.models()).project,
    async () => (await this.models()).user,
  );

  /** The `limit` newest usage records, newest first. */
  async tail(limit: number, filter: TailFilter = {}): Promise<UsageRecord[]> {
    return tailEntries((await this.models()).accountingEntry, limit, filter);
  }

  /** Usage records in the range after `afterId`, in id order. */
  async usageInRange(range: TimeRange, afterId: number, limit: number): Promise<UsageRecord[]> {
    return entriesInRange((await this.models()).accountingEntry, range, afterId, limit);
  }

  /** Stores a price. */
  async insertPrice(price: NewModelPrice): Promise<ModelPrice> {
    return createPrice((await this.models()).modelPrice, price, new Date());
  }

  /** Every stored price. */
  async listPrices(): Promise<ModelPrice[]> {
    return findPrices((await this.models()).modelPrice);
  }

  /** Deletes a price; false when unknown. */
  async deletePrice(id: number): Promise<boolean> {
    return removePrice((await this.models()).modelPrice, id);
  }

  /** Stores a limit. */
  async insertLimit(limit: NewUsageLimit): Promise<UsageLimit> {
    const models = await this.models();
    return createLimit(models.usageLimit, models.limitAlertThresholds, models.limitTag, limit, new Date());
  }

  /** Limits matching the filter with their thresholds and tag, oldest first: each store reads them with `listLimitsSql` on its own connection. */
  abstract listLimits(filter?: LimitFilter): Promise<UsageLimit[]>;

  /** Deletes a limit; false when unknown. */
  async deleteLimit(id: number): Promise<boolean> {
    const models = await this.models();
    return removeLimit(models.usageLimit, models.limitAlertThresholds, models.limitTag, id);
  }

  /** Records a quota rejection. */
  async insertRejection(rejection: NewQuotaRejection): Promise<number> {
    return createRejection((await this.models()).quotaRejection, rejection);
  }

  /** Rejections, newest first. */
  async listRejections(session?: string): Promise<QuotaRejection[]> {
    return findRejections((await this.models()).quotaRejection, session);
  }

  /** Stores an audit entry. */
  async insertAuditEntry(entry: NewAuditEntry): Promise<number> {
    return createAuditEntry((await this.models()).auditLogEntry, entry);
  }

  /** Audit entries matching the filter, newest first. */
  async listAuditEntries(filter?: AuditFilter): Promise<AuditEntry[]> {
    return findAuditEntries((await this.models()).auditLogEntry, filter);
  }

  /** Registers a project. */
  createProject(name: string): Promise<void> {
    return this.#registry.createProject(name);
  }

  /** Project names, sorted. */
  listProjects(): Promise<string[]> {
    return this.#registry.listProjects();
  }

  /** Renames a project; false when unknown. */
  renameProject(name: string, newName: string): Promise<boolean> {
    return this.#registry.renameProject(name, newName);
  }

  /** Deletes a project; false when unknown. */
  deleteProject(name: string): Promise<boolean> {
    return this.#registry.deleteProject(name);
  }

  /** Registers a user. */
  createUser(user: NewUser, now: Date): Promise<UserRecord> {
    return this.#registry.createUser(user, now);
  }

  /** Users, sorted by name. */
  listUsers(): Promise<UserRecord[]> {
    return this.#registry.listUsers();
  }

  /** Updates a user; false when unknown. */
  updateUser(userName: string, changes: UserChanges): Promise<boolean> {
    return this.#registry.updateUser(userName, changes);
  }

  /** Enables or disables a user; false when unknown. */
  setUserEnabled(userName: string, enabled: boolean, now: Date): Promise<boolean> {
    return this.#registry.setUserEnabled(userName, enabled, now);
  }
}
