import type { LimitScope } from "./limit-records.js";
import type { AdmissionBound, QuotaUsage, UsageQuery } from "./quota-usage.js";
import type { NewUsageRecord } from "./usage-record.js";

/** Equality filters for listing limits; absent fields do not filter. */
export interface LimitFilter {
  readonly scope?: LimitScope;
  readonly model?: string;
  readonly username?: string;
  readonly callerName?: string;
  readonly projectName?: string;
}

/**
 * Usage held for a call in flight: it counts against every limit like a usage record (1 request
 * plus the estimated amounts, at `createdAt`) until it is committed, cancelled or expires.
 */
export interface NewReservation {
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly model: string;
  readonly username: string | null;
  readonly callerName: string | null;
  readonly project: string | null;
  readonly session: string | null;
  readonly inputTokens: number;
  readonly completionTokens: number;
  readonly costNanos: bigint;
  /** The call's tags (keys sorted), so TAG limits count the reservation; absent when none. */
  readonly tags?: Readonly<Record<string, string>>;
}

/** A denied quota check that carried a session id. */
export interface NewQuotaRejection {
  readonly createdAt: Date;
  readonly session: string;
  readonly message: string;
}

/** A stored quota rejection. */
export interface QuotaRejection extends NewQuotaRejection {
  readonly id: number;
}

/** What a guarded decision asks the store to write, atomically with the sums it saw. */
export type GuardedWrite =
  | { readonly kind: "usage"; readonly record: NewUsageRecord }
  | { readonly kind: "reservation"; readonly reservation: NewReservation }
  | { readonly kind: "rejection"; readonly rejection: NewQuotaRejection }
  | { readonly kind: "none" };

/** A decision taken inside the store's lock: the result to return and what to write. */
export interface GuardedDecision<T> {
  readonly result: T;
  readonly write: GuardedWrite;
}

/** The decision's result and the id of the row written (usage, reservation or rejection), if any. */
export interface GuardedOutcome<T> {
  readonly result: T;
  readonly id: number | null;
}

/** A synchronous, pure decision over quota sums (it runs while the store holds its lock). */
export type GuardedDecide<T> = (usage: readonly QuotaUsage[]) => GuardedDecision<T>;

/**
 * The decision `decide` takes whenever every bound holds (usage of a type per query at most a
 * ceiling): a store may check the bounds where it sums, in the same statement, and write without
 * a round trip to the process while it holds its locks; it calls `decide` when one fails.
 */
export interface GuardedAdmission<T> {
  readonly bounds: readonly AdmissionBound[];
  readonly result: T;
  readonly write: GuardedWrite;
}

/** What to sum and how to decide, built from the time at which the lock was obtained. */
export interface GuardedStep<T> {
  readonly queries: readonly UsageQuery[];
  readonly decide: GuardedDecide<T>;
  /** When present, what `decide` returns for every usage within its bounds (stores may ignore it). */
  readonly admission?: GuardedAdmission<T>;
}
