import { ValidationError } from "../errors.js";
import type { LimitRemaining } from "../quota/evaluate.js";
import type { QuotaRequest } from "../quota/limit.js";
import { usdToNanos } from "../money.js";
import type { UsageDefaults } from "../usage/usage-input.js";
import { checkOptionalName, checkStorableName } from "../storable-text.js";

/** A call to check against the limits. Names default to the facade's defaults, like trackUsage. */
export interface QuotaCheckInput {
  model: string;
  username?: string | null;
  callerName?: string | null;
  projectName?: string | null;
  /** Input tokens the call will use, if known. */
  inputTokens?: number;
  /** Output tokens the call will use, if known. */
  completionTokens?: number;
  /** Cost of the call in USD, if known. */
  cost?: number;
  /** When set, a denial is recorded as a quota rejection of this session. */
  session?: string | null;
}

/** A reservation request: the call to hold budget for, and how long to hold it. */
export interface ReserveInput extends QuotaCheckInput {
  /** After this long an uncommitted reservation stops counting (a crashed caller). Default 10 minutes. */
  ttlMs?: number;
}

/** How much of a limit's current window is left (USD for cost limits); Infinity when unlimited. */
export type RemainingLimit = LimitRemaining;

/** Validates a check input and applies the facade's defaults (only null/absent names default). */
export function quotaRequestOf(input: QuotaCheckInput, defaults: UsageDefaults): QuotaRequest {
  if (typeof input?.model !== "string" || input.model.trim() === "") throw new ValidationError("model", "must be a non-empty string");
  const count = (value: number | undefined, field: string) => {
    if (value === undefined) return 0;
    if (!Number.isSafeInteger(value) || value < 0) throw new ValidationError(field, `must be a non-negative integer (got ${value})`);
    return value;
  };
  const cost = input.cost ?? 0;
  if (!Number.isFinite(cost) || cost < 0) throw new ValidationError("cost", `must be a non-negative number of USD (got ${cost})`);
  if (input.session != null) checkStorableName(input.session, "session");
  return {
    model: checkStorableName(input.model, "model"),
    username: checkOptionalName(input.username ?? defaults.userName ?? null, "username"),
    callerName: checkOptionalName(input.callerName ?? defaults.appName ?? null, "callerName"),
    projectName: checkOptionalName(input.projectName ?? defaults.projectName ?? null, "projectName"),
    inputTokens: count(input.inputTokens, "inputTokens"),
    completionTokens: count(input.completionTokens, "completionTokens"),
    costNanos: usdToNanos(cost),
  };
}
