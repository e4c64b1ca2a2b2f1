import { NameNotAllowedError, QuotaExceededError, ValidationError, type CallTrackingOptions, type Reservation, type UsageInput } from "@llm-accounting/core";
import { countPromptTokens } from "./local-tokens.js";

/** Output tokens a guarded call without an output cap reserves when `defaultMaxOutputTokens` is not set. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 4096;

/** What a guarded call is about to ask for: enough to price its worst case. */
export interface GuardedRequest {
  /** The model the caller asked for. */
  readonly model: string;
  /** The provider family (`openai`, `anthropic`...) that picks the price; null when unknown. */
  readonly provider: string | null;
  /** The messages or input, counted locally for the reservation. */
  readonly prompt: unknown;
  /** System prompt or instructions sent beside the prompt, if any. */
  readonly instructions?: unknown;
  /** The request's output token cap, 0 when it sets none. */
  readonly maxOutputTokens: number;
}

/** The names a call is recorded and checked under. */
export interface LifecycleNames {
  readonly username?: string | null;
  readonly project?: string | null;
  readonly callerName?: string | null;
  readonly session?: string | null;
  /** The wrapper's and the context's tags: TAG limits check the reservation by them. */
  readonly tags?: Readonly<Record<string, string>> | null;
}

/** Refuses tracking options that would make every guarded call misbehave; call it when a wrapper is created. */
export function validateTrackingOptions(options: CallTrackingOptions): void {
  const cap = options.defaultMaxOutputTokens;
  if (cap !== undefined && !(Number.isSafeInteger(cap) && cap > 0)) throw new ValidationError("defaultMaxOutputTokens", `must be a positive whole number of tokens (got ${String(cap)})`);
}

/** The output tokens a guarded call may produce at most, as reserved: its cap, else the configured default. */
export function reservedOutputTokens(request: GuardedRequest, options: CallTrackingOptions): number {
  return request.maxOutputTokens > 0 ? request.maxOutputTokens : (options.defaultMaxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS);
}

/**
 * The accounting side of one SDK call, shared by every wrapper so the policy lives in one place:
 * reserve the call's worst case (when guarded), then either record its usage (committing the
 * reservation, which replaces it in one transaction) or release the reservation. Denials
 * (`QuotaExceededError`, `NameNotAllowedError`) are thrown to the caller; any other accounting
 * failure goes to `report` and the call proceeds unguarded (fail open on an unreachable store).
 */
export class CallLifecycle {
  readonly #options: CallTrackingOptions;
  readonly #report: (error: unknown) => void;
  #reservation: Reservation | undefined;
  // A call is recorded or released once: a late second ending (a usage event seen after the
  // call was cut and recorded) must neither write a second row nor bypass the reservation.
  #settled = false;

  private constructor(options: CallTrackingOptions, report: (error: unknown) => void, reservation: Reservation | undefined) {
    this.#options = options;
    this.#report = report;
    this.#reservation = reservation;
  }

  /** Starts a call: with `guard`, reserves its worst case first (throws when that is denied). */
  static async begin(options: CallTrackingOptions, request: GuardedRequest, names: LifecycleNames, report: (error: unknown) => void): Promise<CallLifecycle> {
    if (!options.guard) return new CallLifecycle(options, report, undefined);
    try {
      const reservation = await options.accounting.reserve({
        model: request.model,
        provider: request.provider,
        promptTokens: await countPromptTokens(request.model, request.prompt, request.instructions),
        completionTokens: reservedOutputTokens(request, options),
        allowUnpriced: options.allowUnpricedCalls ?? false,
        username: names.username ?? null,
        callerName: names.callerName ?? null,
        project: names.project ?? null,
        session: names.session ?? null,
        ...(names.tags && { tags: names.tags }),
      });
      return new CallLifecycle(options, report, reservation);
    } catch (error) {
      if (isDenial(error)) throw error;
      report(error);
      return new CallLifecycle(options, report, undefined);
    }
  }

  /** True when the call holds a reservation. */
  get guarded(): boolean {
    return this.#reservation !== undefined;
  }

  /**
   * Records the call's usage once: commits the reservation (releasing it when the commit fails, so
   * the budget is not held until its TTL), or hands the record to the sink. Failures are thrown.
   * Does nothing when the call was already recorded or released.
   */
  async record(usage: UsageInput): Promise<void> {
    if (this.#settle()) return;
    const reservation = this.#reservation;
    this.#reservation = undefined;
    if (!reservation) {
      await (this.#options.sink ?? this.#options.accounting).trackUsage(usage);
      return;
    }
    try {
      await reservation.commit(usage);
    } catch (error) {
      await reservation.cancel().catch(() => undefined);
      throw error;
    }
  }

  /** Releases the reservation of a call that produced nothing to record (once; failures go to `report`). */
  async release(): Promise<void> {
    if (this.#settle()) return;
    const reservation = this.#reservation;
    this.#reservation = undefined;
    if (reservation) await reservation.cancel().catch((error: unknown) => this.#report(error));
  }

  /** Marks the call settled; true when it already was. */
  #settle(): boolean {
    const already = this.#settled;
    this.#settled = true;
    return already;
  }
}

function isDenial(error: unknown): boolean {
  if (error instanceof QuotaExceededError || error instanceof NameNotAllowedError) return true;
  // Another copy of core (two versions installed) throws errors of other classes with the same codes.
  const code = (error as { code?: unknown } | null)?.code;
  return code === "QUOTA_EXCEEDED" || code === "NAME_NOT_ALLOWED";
}
