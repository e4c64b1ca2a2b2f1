import { QuotaExceededError, ValidationError } from "../errors.js";
import type { QuotaRequest } from "../quota/quota-request.js";
import type { NewUsageRecord } from "../store/usage-record.js";
import { costQuoteJson, usageRecordResult, type CostQuote, type CostQuoteJson, type UsageRecordResult } from "../json/usage-json.js";
import { withJsonForm, type JsonForm } from "../json/json-form.js";
import type { PricedUsage, PriceQuote } from "../pricing/pricer.js";
import { quoteUsage } from "../pricing/price-record.js";
import { normalizeUsage } from "../usage/normalize-usage.js";
import type { UsageInput } from "../usage/usage-input.js";
import { currentUsageContext } from "../context/usage-context.js";
import type { FacadeState } from "./facade-state.js";
import { guardedWrite } from "./guarded-write.js";
import { getRemainingLimits } from "./quota-checks.js";
import type { RemainingLimit } from "./quota-inputs.js";

/** Records one model call (with `enforceLimits`, checked and written as one atomic step); resolves with the stored record. */
export async function trackUsage(state: FacadeState, input: UsageInput, options: { enforceLimits?: boolean }): Promise<UsageRecordResult> {
  const now = state.now();
  // Validate before opening: bad input must not create a database file.
  const normalized = normalizeUsage(input, state.defaults, now, currentUsageContext());
  await state.open();
  const record = await state.priced(normalized);
  await state.names.check(record.project, record.username);
  if (!options.enforceLimits) {
    const id = await state.store.insertUsage(record);
    state.recorded([record]);
    return usageRecordResult({ id, ...record });
  }
  const request: QuotaRequest = {
    model: record.model,
    username: record.username,
    callerName: record.callerName,
    projectName: record.project,
    inputTokens: record.promptTokens,
    completionTokens: record.completionTokens,
    costNanos: record.costNanos,
    tags: record.tags ?? null,
  };
  // Calls without a timestamp are stamped with the instant the guarded write decided at. A given one must
  // fall inside every window it was checked against: a back-dated row would pass the check yet
  // count in no current window, so repeating it would spend without limit.
  let written = record;
  const { decision, id } = await guardedWrite(state, request, record.session, () => null, (at, latestWindowStart) => {
    if (input.timestamp != null && latestWindowStart !== null && record.timestamp.getTime() < latestWindowStart.getTime()) {
      throw new ValidationError("timestamp", `must not be before the current quota window (${latestWindowStart.toISOString()}) when limits are enforced`);
    }
    written = input.timestamp == null ? { ...record, timestamp: at } : record;
    return { kind: "usage", record: written };
  });
  if (!decision.allowed) throw new QuotaExceededError(decision);
  state.recorded([written]);
  return usageRecordResult({ id: id!, ...written });
}

/** Records one call and returns how much of each applicable limit is left afterwards. */
export async function trackUsageWithRemainingLimits(state: FacadeState, input: UsageInput): Promise<{ record: UsageRecordResult; remaining: RemainingLimit[] }> {
  const record = await trackUsage(state, input, {});
  const remaining = await getRemainingLimits(state, {
    model: record.model,
    username: record.username,
    callerName: record.callerName,
    project: record.project,
    tags: record.tags ?? null,
  });
  return { record, remaining };
}

/** Records many model calls atomically (all or none). */
export async function trackUsageBatch(state: FacadeState, inputs: readonly UsageInput[]): Promise<void> {
  const now = state.now();
  const context = currentUsageContext();
  const records = inputs.map((input, index) => {
    try {
      return normalizeUsage(input, state.defaults, now, context);
    } catch (error) {
      if (error instanceof ValidationError) throw new ValidationError(`[${index}].${error.field}`, error.reason);
      throw error;
    }
  });
  await trackNormalizedBatch(state, records);
}

/** Records already made by normalizeUsage (the buffered writer's path): names checked, costs priced, stored atomically. */
export async function trackNormalizedBatch(state: FacadeState, records: readonly NewUsageRecord[]): Promise<void> {
  // No await on the hot path until the store has the batch: the buffered writer relies on the
  // write being handed over before the callers it admits next get to run.
  if (!state.isOpen) await state.open();
  if (state.names.active) {
    const pairs = new Map(records.map((r) => [`${r.project}\u0000${r.username}`, r]));
    for (const record of pairs.values()) await state.names.check(record.project, record.username);
  }
  // Batches are the buffered writer's hot path: read the stored prices once, then price synchronously.
  const stored = records.some((r) => r.costSource === null) ? await state.prices.current() : [];
  const priced = records.map((record) => (record.costSource !== null ? record : state.pricedWith(record, stored)));
  await state.store.insertUsageBatch(priced);
  state.recorded(priced);
}

/** What `trackUsage(input)` would record as the cost, without recording anything. */
export async function quoteCost(state: FacadeState, input: UsageInput): Promise<CostQuote & JsonForm<CostQuoteJson>> {
  const normalized = normalizeUsage(input, state.defaults, state.now(), currentUsageContext());
  await state.open();
  const { costNanos, costSource } = await state.priced(normalized);
  return withJsonForm({ costNanos, costSource }, costQuoteJson);
}

/** Quotes many calls as tracking would (stored prices, then the pricer), reading the stored prices once. */
export async function quoteUsages(state: FacadeState, usages: readonly PricedUsage[]): Promise<(PriceQuote | undefined)[]> {
  await state.open();
  const stored = await state.prices.current();
  return usages.map((usage) => quoteUsage(usage, stored, state.pricer));
}
