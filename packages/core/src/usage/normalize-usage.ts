import { ValidationError } from "../errors.js";
import { parseInstant } from "../instant.js";
import { checkOptionalName, checkStorableName } from "../storable-text.js";
import { usdToNanos } from "../money.js";
import type { CostSource, NewUsageRecord } from "../store/usage-record.js";
import { USAGE_RECORD_COLUMNS, type UsageRecordColumn } from "../store/usage-columns.js";
import type { UsageDefaults, UsageInput } from "./usage-input.js";
import { resolveCallNames, type CallNames } from "../context/call-names.js";
import { checkTags } from "./usage-tags.js";
import { checkServiceTier } from "./service-tier.js";

type TokenField = Extract<UsageRecordColumn, { kind: "tokens" }>["field"];

/**
 * The token columns the rules below read (the cache check, the totals' defaults). They are read
 * by name: a loop over field names reads each through V8's megamorphic property lookup, which made
 * this function, run at every tracked call, twice as slow. They come first in the table.
 */
const RULED_FIELDS = ["promptTokens", "completionTokens", "totalTokens", "localPromptTokens", "localCompletionTokens", "localTotalTokens", "cachedTokens", "cacheWriteTokens"] as const satisfies readonly TokenField[];

/** Every other token column of core's table, checked and copied by one loop: a column added to the table is taken here as it is. */
const OTHER_TOKEN_FIELDS = USAGE_RECORD_COLUMNS.flatMap((c) => (c.kind === "tokens" && !(RULED_FIELDS as readonly string[]).includes(c.field) ? [c.field] : [])) as readonly TokenField[];

/**
 * A record with every field at its default (0, false or null), in table order. Each call's record starts
 * as a copy, so all records share one shape and the token loop only overwrites fields.
 */
const BLANK_RECORD = Object.fromEntries(
  USAGE_RECORD_COLUMNS.map((c) => [c.field, c.kind === "tokens" || c.kind === "seconds" ? 0 : c.kind === "nanos" ? 0n : c.kind === "flag" ? false : null]),
) as unknown as NewUsageRecord;

/**
 * Validates a usage input and turns it into the record the store keeps: defaults applied
 * (only null/absent triggers a default, as in the original), totals derived, cost in nano-dollars.
 * Names missing from the input come from `context` (a `withUsageContext` scope) before the defaults
 * (`resolveCallNames` decides; the defaults are checked too, since they end up in the row).
 */
export function normalizeUsage(input: UsageInput, defaults: UsageDefaults, now: Date, context?: CallNames): NewUsageRecord {
  if (input === null || typeof input !== "object") throw new ValidationError("usage", "must be an object");
  const model = input.model;
  if (typeof model !== "string" || model.trim() === "") throw new ValidationError("model", "must be a non-empty string");
  checkStorableName(model, "model");

  // Token counts are checked in table order, so the first bad one is the one reported.
  const promptGiven = tokenCount(input.promptTokens, "promptTokens");
  const completionGiven = tokenCount(input.completionTokens, "completionTokens");
  const totalGiven = tokenCount(input.totalTokens, "totalTokens");
  const localPromptGiven = tokenCount(input.localPromptTokens, "localPromptTokens");
  const localCompletionGiven = tokenCount(input.localCompletionTokens, "localCompletionTokens");
  const localTotalGiven = tokenCount(input.localTotalTokens, "localTotalTokens");
  const cachedGiven = tokenCount(input.cachedTokens, "cachedTokens");
  const cacheWriteGiven = tokenCount(input.cacheWriteTokens, "cacheWriteTokens");
  const record: Mutable<NewUsageRecord> = { ...BLANK_RECORD };
  const given = input as Readonly<Record<TokenField, unknown>>;
  for (let i = 0; i < OTHER_TOKEN_FIELDS.length; i++) {
    const field = OTHER_TOKEN_FIELDS[i]!;
    const count = tokenCount(given[field], field);
    if (count !== null) record[field] = count;
  }

  const cost = input.cost ?? 0;
  if (typeof cost !== "number" || !Number.isFinite(cost) || cost < 0) {
    throw new ValidationError("cost", `must be a non-negative number of USD (got ${describe(input.cost)})`);
  }
  if (input.costSource === "provider" && input.cost == null) {
    throw new ValidationError("costSource", `${describe(input.costSource)} needs a cost (give the provider's figure as cost)`);
  }
  const executionTime = input.executionTime ?? 0;
  if (typeof executionTime !== "number" || !Number.isFinite(executionTime) || executionTime < 0) {
    throw new ValidationError("executionTime", `must be a non-negative number of seconds (got ${describe(input.executionTime)})`);
  }

  const prompt = promptGiven ?? 0;
  const cacheRead = cachedGiven ?? 0;
  const cacheWrite = cacheWriteGiven ?? 0;
  // Cache reads and writes are part of the input; more of them than input tokens means the
  // caller passed a provider's "input excluding cache" count (Anthropic's) as promptTokens.
  if (cacheWrite > 0 && cacheRead + cacheWrite > prompt) {
    throw new ValidationError("cacheWriteTokens", `plus cachedTokens (${cacheRead + cacheWrite}) must not exceed promptTokens (${prompt}), which includes cache reads and writes`);
  }
  // The 1-hour writes are a part of all writes (the loop above copied the count).
  if (record.cacheWrite1hTokens! > cacheWrite) {
    throw new ValidationError("cacheWrite1hTokens", `(${record.cacheWrite1hTokens}) must not exceed cacheWriteTokens (${cacheWrite}), which counts every cache write`);
  }
  const completion = completionGiven ?? 0;
  const localPrompt = localPromptGiven ?? 0;
  const localCompletion = localCompletionGiven ?? 0;
  const localTotal = localTotalGiven ?? localPrompt + localCompletion;
  const providerPairGiven = promptGiven !== null || completionGiven !== null;

  const { username, project, callerName, session, tags } = resolveCallNames({ input, context, defaults });

  record.timestamp = input.timestamp == null ? now : parseInstant(input.timestamp, "timestamp");
  record.model = model;
  record.promptTokens = prompt;
  record.completionTokens = completion;
  record.totalTokens = totalGiven ?? (providerPairGiven ? prompt + completion : localTotal);
  record.localPromptTokens = localPrompt;
  record.localCompletionTokens = localCompletion;
  record.localTotalTokens = localTotal;
  record.cachedTokens = cacheRead;
  record.cacheWriteTokens = cacheWrite;
  record.costNanos = usdToNanos(cost, "cost");
  record.costSource = input.cost == null ? null : statedCostSource(input.costSource);
  record.executionTime = executionTime;
  record.callerName = callerName;
  record.username = username;
  record.project = project;
  record.session = session;
  record.provider = checkOptionalName(optionalText(input.provider, "provider"), "provider");
  record.usageEstimated = flag(input.estimated, "estimated");
  record.serviceTier = checkServiceTier(input.serviceTier, "serviceTier");
  if (tags) record.tags = checkTags(tags);
  return record;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function flag(value: unknown, field: "estimated"): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value !== "boolean") throw new ValidationError(field, `must be true or false (got ${describe(value)})`);
  return value;
}

function tokenCount(value: unknown, field: TokenField): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new ValidationError(field, `must be a non-negative integer (got ${describe(value)})`);
  }
  return value;
}

const COST_SOURCES: ReadonlySet<unknown> = new Set<CostSource>(["caller", "price", "unpriced", "provider"]);

/** The source of a cost the input states: the caller's, unless it says the provider reported it. */
function statedCostSource(value: unknown): "caller" | "provider" {
  if (value === "provider") return "provider";
  if (value == null || COST_SOURCES.has(value)) return "caller";
  throw new ValidationError("costSource", `must be "provider", or another cost source: caller, price, unpriced (got ${describe(value)})`);
}

function optionalText(value: unknown, field: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== "string") throw new ValidationError(field, `must be a string (got ${describe(value)})`);
  return value;
}

function describe(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}
