import { ValidationError } from "../errors.js";
import type { LimitRemaining } from "../quota/evaluate.js";
import type { QuotaRequest } from "../quota/quota-request.js";
import type { UsageForecast } from "../quota/forecast.js";
import { usdToNanos } from "../money.js";
import type { UsageDefaults, UsageInput } from "../usage/usage-input.js";
import { checkStorableName } from "../storable-text.js";
import type { UsageTags } from "../usage/usage-tags.js";
import { currentUsageContext } from "../context/usage-context.js";
import { resolveCallNames, type CallNames } from "../context/call-names.js";

/**
 * A call to check against the limits. Names come from the input, then the usage context, then the
 * facade's defaults, exactly as for `trackUsage` (see `resolveCallNames`). Token fields mean what
 * they mean in `trackUsage`; without a `cost`, the tokens are priced the way `trackUsage` would
 * price them (stored prices, then the pricer).
 */
export interface QuotaCheckInput {
  model: string;
  username?: string | null;
  callerName?: string | null;
  /** The project the call is for (a limit's `projectName` selects it). */
  project?: string | null;
  /**
   * @deprecated Use `project`, the spelling of every call input (`trackUsage`, `withUsageContext`,
   * the wrappers). Still accepted until the next major version; when both are given they must be equal.
   */
  projectName?: string | null;
  /** Every input token the call will use, cache reads and writes included (`trackUsage`'s `promptTokens`). */
  promptTokens?: number;
  /** Same as `promptTokens` (the original's name); give one or the other, or both equal. */
  inputTokens?: number;
  /** Output tokens the call will use (or may use at most), reasoning included. */
  completionTokens?: number;
  /** Input tokens expected from the prompt cache (part of `promptTokens`, priced at the cache rate). */
  cachedTokens?: number;
  /** Input tokens expected to be written to the prompt cache (part of `promptTokens`). */
  cacheWriteTokens?: number;
  /** Of `cacheWriteTokens`, those expected to be kept for one hour (priced at the 1-hour rate). */
  cacheWrite1hTokens?: number;
  /** Output tokens expected to be reasoning (part of `completionTokens`). */
  reasoningTokens?: number;
  /** Provider that will serve the call: helps pick the price. */
  provider?: string | null;
  /** The service tier the call will run at (`batch`, `flex`, ...): priced as `trackUsage` prices it. */
  serviceTier?: string | null;
  /** Cost of the call in USD; when absent, the tokens are priced. */
  cost?: number;
  /**
   * When no cost is given and the tokens cannot be priced (no stored price, no pricer price), a
   * cost limit that applies refuses the call (fail closed). Set this to count such a call as
   * cost 0 instead.
   */
  allowUnpriced?: boolean;
  /** When set, a denial is recorded as a quota rejection of this session. */
  session?: string | null;
  /**
   * The call's tags, merged key by key over the `withUsageContext` tags and the facade's `tags`
   * exactly as `trackUsage` merges them; TAG limits apply by them.
   */
  tags?: UsageTags | null;
}

/** A reservation request: the call to hold budget for, and how long to hold it. */
export interface ReserveInput extends QuotaCheckInput {
  /** After this long an uncommitted reservation stops counting (a crashed caller). Default 10 minutes. */
  ttlMs?: number;
}

/** How much of a limit's current window is left (USD for cost limits); Infinity when unlimited. */
export type RemainingLimit = LimitRemaining & {
  /** Burn rate, projected usage at the window's end and when the limit is reached (null for unlimited limits). */
  readonly forecast: UsageForecast | null;
};

/** A validated check: the request the limits are matched against, and the session a denial is recorded for. */
export interface CheckRequest {
  readonly request: QuotaRequest;
  readonly session: string | null;
}

/**
 * Validates a check input and resolves its names and tags over `context` (by default the current
 * usage context) and the facade's defaults (only null/absent names default).
 */
export function quotaRequestOf(input: QuotaCheckInput, defaults: UsageDefaults, context: CallNames | undefined = currentUsageContext()): QuotaRequest {
  return checkRequestOf(input, defaults, context).request;
}

/** `quotaRequestOf`, with the resolved session too (the facade's checks and reservations need it). */
export function checkRequestOf(input: QuotaCheckInput, defaults: UsageDefaults, context: CallNames | undefined): CheckRequest {
  if (typeof input?.model !== "string" || input.model.trim() === "") throw new ValidationError("model", "must be a non-empty string");
  const cost = input.cost ?? 0;
  if (typeof cost !== "number" || !Number.isFinite(cost) || cost < 0) throw new ValidationError("cost", `must be a non-negative number of USD (got ${cost})`);
  const { project, field } = projectOf(input);
  const callInput: CallNames = { username: input.username, project, callerName: input.callerName, session: input.session, tags: input.tags };
  const names = resolveCallNames({ input: callInput, context, defaults }, { projectField: field });
  const request: QuotaRequest = {
    model: checkStorableName(input.model, "model"),
    username: names.username,
    callerName: names.callerName,
    projectName: names.project,
    inputTokens: promptTokensOf(input),
    completionTokens: tokenCount(input.completionTokens, "completionTokens"),
    costNanos: usdToNanos(cost),
    tags: names.tags ?? null,
  };
  return { request, session: names.session };
}

/** The usage `trackUsage` would be given for this check (no cost): what pricing the check means. */
export function usageToPrice(input: QuotaCheckInput, request: QuotaRequest): UsageInput {
  return {
    model: request.model,
    username: request.username,
    callerName: request.callerName,
    project: request.projectName,
    promptTokens: request.inputTokens,
    completionTokens: request.completionTokens,
    cachedTokens: tokenCount(input.cachedTokens, "cachedTokens"),
    cacheWriteTokens: tokenCount(input.cacheWriteTokens, "cacheWriteTokens"),
    cacheWrite1hTokens: tokenCount(input.cacheWrite1hTokens, "cacheWrite1hTokens"),
    reasoningTokens: tokenCount(input.reasoningTokens, "reasoningTokens"),
    provider: input.provider ?? null,
    serviceTier: input.serviceTier ?? null,
    tags: request.tags ?? null,
  };
}

/** The input's project under either spelling, and the field an error about it names. */
function projectOf(input: QuotaCheckInput): { project: string | null | undefined; field: string } {
  const { project, projectName } = input;
  if (project != null && projectName != null && project !== projectName) {
    throw new ValidationError("projectName", `must equal project when both are given (got ${JSON.stringify(projectName)} and ${JSON.stringify(project)})`);
  }
  return project == null && projectName != null ? { project: projectName, field: "projectName" } : { project, field: "project" };
}

function promptTokensOf(input: QuotaCheckInput): number {
  const prompt = tokenCount(input.promptTokens, "promptTokens");
  const legacy = tokenCount(input.inputTokens, "inputTokens");
  if (input.promptTokens !== undefined && input.inputTokens !== undefined && prompt !== legacy) {
    throw new ValidationError("inputTokens", `must equal promptTokens when both are given (got ${legacy} and ${prompt})`);
  }
  return input.promptTokens !== undefined ? prompt : legacy;
}

function tokenCount(value: number | undefined, field: string): number {
  if (value === undefined) return 0;
  if (!Number.isSafeInteger(value) || value < 0) throw new ValidationError(field, `must be a non-negative integer (got ${value})`);
  return value;
}
