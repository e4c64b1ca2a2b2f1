import type { UsageLimit } from "../store/limit-records.js";

/** The outcome of a quota check. */
export interface QuotaDecision {
  readonly allowed: boolean;
  /** The denial message (wording in docs/behaviour.md); null when allowed. */
  readonly reason: string | null;
  /** Whole seconds until the call may succeed; null when allowed, or when waiting cannot help (the request alone exceeds a limit above 0). */
  readonly retryAfterSeconds: number | null;
  /** The limit that denied the call. */
  readonly limit: UsageLimit | null;
  /**
   * When the call may succeed: the end of a fixed window, or when enough usage has left a rolling
   * one for the request to fit (the latest over every limit it exceeds); null when waiting cannot help.
   */
  readonly resetAt: Date | null;
}

/** The decision of every allowed check (one frozen object). */
export const ALLOWED: QuotaDecision = Object.freeze({ allowed: true, reason: null, retryAfterSeconds: null, limit: null, resetAt: null });
