import type { Accounting } from "../accounting/accounting.js";
import type { UsageSink } from "./usage-sink.js";

/** How an automatic tracker (SDK wrapper, AI SDK middleware) records the calls it sees. */
export interface CallTrackingOptions {
  /** The facade: it receives every record (unless `sink` is set), prices it, and holds `guard` reservations. */
  readonly accounting: Accounting;
  /** Where records go instead of `accounting`, e.g. a `UsageBuffer`. Guarded calls commit through `accounting`. */
  readonly sink?: UsageSink;
  /** User recorded on every call (a `withUsageContext` around the call wins; this wins over the facade's default). */
  readonly username?: string | null;
  /** Project recorded on every call (a `withUsageContext` around the call wins). */
  readonly project?: string | null;
  /** Caller recorded on every call (a `withUsageContext` around the call wins). */
  readonly callerName?: string | null;
  /** Session recorded on every call (a `withUsageContext` around the call wins). */
  readonly session?: string | null;
  /**
   * Reserve budget before each call (`accounting.reserve`): a denial throws `QuotaExceededError`
   * before any request is sent; the reservation is committed with the actual usage afterwards.
   */
  readonly guard?: boolean;
  /** Receives accounting failures (store down, invalid input); they never reach the call. Default: a console warning. */
  readonly onError?: (error: unknown) => void;
}
