import type { Accounting } from "../accounting/accounting.js";
import type { UsageSink } from "./usage-sink.js";
import type { UsageTags } from "./usage-tags.js";

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
  /** Tags recorded on every call; `withUsageContext` tags and then the facade's are merged under them key by key (the context wins). */
  readonly tags?: UsageTags | null;
  /**
   * Reserve budget before each call (`accounting.reserve`): a denial throws `QuotaExceededError`
   * before any request is sent; the reservation is committed with the actual usage afterwards.
   * The reservation is the call's worst case: its counted input tokens plus its output cap
   * (`max_tokens`, `max_completion_tokens`, `max_output_tokens`, `maxOutputTokens`), priced like
   * the record will be (stored prices, then the facade's pricer).
   */
  readonly guard?: boolean;
  /**
   * Output tokens a guarded call that sets no output cap reserves. Default 4096 (the price
   * catalog does not say how many output tokens a model may produce). A call that produces more
   * spends more than it reserved: see the README on how far spend can then overshoot a limit.
   */
  readonly defaultMaxOutputTokens?: number;
  /**
   * A guarded call whose cost cannot be priced (no stored price, no pricer price) is refused when a
   * cost limit applies to it (fail closed). Set this to let such calls through, reserved at cost 0.
   */
  readonly allowUnpricedCalls?: boolean;
  /** Receives accounting failures (store down, invalid input); they never reach the call. Default: a console warning. */
  readonly onError?: (error: unknown) => void;
}
