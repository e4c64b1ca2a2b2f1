import { ValidationError } from "../errors.js";
import { parseInstant, type InstantInput } from "../instant.js";
import { rankModels, type ModelRankings } from "../stats/model-rankings.js";
import { statsFromTotals, type ModelStats, type UsageStatsResult } from "../stats/usage-stats.js";
import { sumGroups } from "../stats/sum-groups.js";
import { groupedSumsOf } from "../fallbacks/grouped-sums.js";
import { tagSumsOf } from "../fallbacks/tag-sums.js";
import type { TimeRange } from "../store/time-range.js";
import { usageFilterFields, type GroupUsageTotals, type ModelUsageTotals, type TagBreakdownFilter, type TailFilter, type UsageDimension } from "../store/usage-totals.js";
import { withJsonForm, type JsonForm } from "../json/json-form.js";
import { usageRecordResult, usageTotalsJson, type UsageRecordResult, type UsageTotalsJson } from "../json/usage-json.js";
import { checkTagKey, checkTags } from "../usage/usage-tags.js";
import type { FacadeState } from "./facade-state.js";

/** Years 1 to 9999, the range of `entriesAfter` (stores compare four-digit-year ISO text). */
const ALL_TIME: TimeRange = { start: new Date("0001-01-01T00:00:00.000Z"), end: new Date("9999-12-31T23:59:59.999Z") };

/** Sums and averages over `start <= timestamp <= end` (of the records the filter keeps, tags included). */
export async function getPeriodStats(state: FacadeState, start: InstantInput, end: InstantInput, filter: TagBreakdownFilter): Promise<UsageStatsResult> {
  const range = toRange(start, end);
  const tagged = taggedFilter(filter);
  await state.open();
  if (tagged) return statsFromTotals(sumGroups(await taggedGroups(state, range, null, tagged)));
  return statsFromTotals(await state.store.sumUsage(range, filter));
}

/** Per-model sums and averages over the range, ordered by model name. */
export async function getModelStats(state: FacadeState, start: InstantInput, end: InstantInput, filter: TagBreakdownFilter): Promise<ModelStats[]> {
  const range = toRange(start, end);
  await state.open();
  const perModel = await usagePerModel(state, range, filter);
  return perModel.map((totals) => ({ model: totals.model, stats: statsFromTotals(totals) }));
}

/** Models ranked by tokens, cost and execution time over the range. */
export async function getModelRankings(state: FacadeState, start: InstantInput, end: InstantInput, filter: TagBreakdownFilter): Promise<ModelRankings> {
  const range = toRange(start, end);
  await state.open();
  return rankModels(await usagePerModel(state, range, filter));
}

/** Usage over the range per user, caller, project, session or model (null: records without one). */
export async function getUsageBreakdown(state: FacadeState, start: InstantInput, end: InstantInput, dimension: UsageDimension, filter: TagBreakdownFilter): Promise<Array<GroupUsageTotals & JsonForm<UsageTotalsJson<GroupUsageTotals>>>> {
  const range = toRange(start, end);
  const tagged = taggedFilter(filter);
  await state.open();
  // Per model the store can answer from its hourly rollup; other columns need the entries.
  const groups: GroupUsageTotals[] = tagged
    ? await taggedGroups(state, range, dimension, tagged)
    : dimension === "model" && usageFilterFields(filter).length === 0
      ? (await groupedSumsOf(state.store).sumUsageByModel(range)).map(({ model, ...totals }) => ({ key: model, ...totals }))
      : await groupedSumsOf(state.store).sumUsageBy(range, dimension, filter);
  return groups.map((group) => withJsonForm(group, usageTotalsJson));
}

/** Usage over the range per value of one tag key, ordered by value; records without that tag form the last group. */
export async function getUsageByTag(state: FacadeState, start: InstantInput, end: InstantInput, key: string, filter: TagBreakdownFilter): Promise<Array<GroupUsageTotals & JsonForm<UsageTotalsJson<GroupUsageTotals>>>> {
  checkTagKey(key, "tag");
  const tagFilter = checkTags(filter.tags, "tags");
  const range = toRange(start, end);
  await state.open();
  const narrowed = { ...filter, ...(tagFilter ? { tags: tagFilter } : { tags: undefined }) };
  const groups = await tagSumsOf(state.store).sumUsageByTag(range, key, narrowed);
  return groups.map((group) => withJsonForm(group, usageTotalsJson));
}

/** The `n` most recent records the filter keeps, newest first; a negative `n` returns every record. */
export async function tail(state: FacadeState, n: number, filter: TailFilter): Promise<UsageRecordResult[]> {
  if (!Number.isSafeInteger(n)) throw new ValidationError("n", `must be an integer (got ${n})`);
  await state.open();
  return (await state.store.tail(n < 0 ? Number.MAX_SAFE_INTEGER : n, filter)).map(usageRecordResult);
}

/** Up to `limit` records stored after the record with id `afterId`, oldest first. */
export async function entriesAfter(state: FacadeState, afterId: number, limit: number): Promise<UsageRecordResult[]> {
  if (!Number.isSafeInteger(afterId)) throw new ValidationError("afterId", `must be an integer (got ${afterId})`);
  await state.open();
  return (await state.store.usageInRange(ALL_TIME, afterId, limit)).map(usageRecordResult);
}

/** The validated range from `start` to `end` (not before `start`). */
export function toRange(start: InstantInput, end: InstantInput): TimeRange {
  const range = { start: parseInstant(start, "start"), end: parseInstant(end, "end") };
  if (range.start.getTime() > range.end.getTime()) throw new ValidationError("end", "must not be before start");
  return range;
}

async function usagePerModel(state: FacadeState, range: TimeRange, filter: TagBreakdownFilter): Promise<ModelUsageTotals[]> {
  const tagged = taggedFilter(filter);
  if (!tagged) return groupedSumsOf(state.store).sumUsageByModel(range, filter);
  return (await taggedGroups(state, range, "model", tagged)).map(({ key, ...totals }) => ({ model: String(key), ...totals }));
}

/** Groups of a report narrowed by tags: the store's own query, or paging through the range. */
async function taggedGroups(state: FacadeState, range: TimeRange, dimension: UsageDimension | null, filter: TagBreakdownFilter): Promise<GroupUsageTotals[]> {
  return tagSumsOf(state.store).sumTaggedUsage(range, dimension, filter);
}

/** The filter with its tags checked, when it names any (such reports take the tagged path); else undefined. */
function taggedFilter(filter: TagBreakdownFilter): TagBreakdownFilter | undefined {
  const tags = checkTags(filter.tags, "tags");
  return tags ? { ...filter, tags } : undefined;
}
