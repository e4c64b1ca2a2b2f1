import type { Accounting, AuditEntry, AuditStore, GroupUsageTotals, LimitStatus, StoredAlert, UsageDimension, UsageRecord } from "@llm-accounting/core";
import { usageAmount, usageFilterFor } from "@llm-accounting/core";
import { auditFilter, limitConcerns, type DashboardFilter } from "./filter.js";
import { tagKeyOf, type BreakdownBy } from "./drill.js";
import { periodLabel, periodRange, type Period } from "./period.js";
import { dateTime, startOfDay, type TimeZone } from "./zone.js";
import { shownOnDay, shownRecord, shownSums, type DisplayMoney } from "./money.js";

// With a display currency (`money`), every cost the loaders return (`costNanos`, `costLastHour`,
// `costLastDay`) is in 1e-9 units of that currency, each day's spending at that day's rate:
// the views show amounts, they never store them. Limits stay in US dollars, as they are set.

/** Totals of one window of the overview. */
export interface WindowTotals {
  readonly label: string;
  readonly requests: number;
  readonly tokens: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly cachedTokens: number;
  /** Seconds of model time, summed. */
  readonly executionTime: number;
  readonly costNanos: bigint;
}

/** Everything the Overview view shows. */
export interface OverviewData {
  readonly windows: readonly WindowTotals[];
  /** Cost per UTC day, oldest first, for the chart. */
  readonly daily: readonly { readonly day: string; readonly costNanos: bigint; readonly requests: number; readonly tokens: number }[];
  readonly topModels: readonly GroupUsageTotals[];
  /** The chart: per hour of today, or per day of a longer period. */
  readonly chart: ChartData;
  /** Calls per minute and dollars per hour now (the burn rate). */
  readonly rates: RateData;
}

/** One bar of the overview chart: an hour or a day, with each measure the chart can show. */
export interface ChartBucket {
  /** `14h` or `06-15`. */
  readonly label: string;
  readonly requests: number;
  readonly tokens: number;
  readonly costNanos: bigint;
}

/** The overview chart's data: per hour (today) or per day, and what the period is. */
export interface ChartData {
  readonly unit: "hour" | "day";
  readonly period: string;
  readonly buckets: readonly ChartBucket[];
}

const HOUR = 3_600_000;

/** Usage per hour of today (24 bars) or per day of a longer period, up to `now`; hours and days of `zone`. */
export async function loadChart(accounting: Accounting, now: Date, period: Period, filter: DashboardFilter = {}, zone: TimeZone = "UTC", money?: DisplayMoney): Promise<ChartData> {
  const range = periodRange(period, now, zone);
  const hourly = period === "today";
  // Day i starts at the zone's midnight i days after the first (days are 23 or 25 hours around DST changes).
  const dayStart = (i: number) => startOfDay(new Date(range.start.getTime() + i * DAY + 12 * HOUR), zone).getTime();
  const count = hourly ? 24 : Math.max(1, Math.round((startOfDay(range.end, zone).getTime() - range.start.getTime()) / DAY) + 1);
  const buckets = await Promise.all(
    Array.from({ length: count }, async (_, i): Promise<ChartBucket> => {
      const start = hourly ? range.start.getTime() + i * HOUR : dayStart(i);
      const end = hourly ? start + HOUR : dayStart(i + 1);
      const label = hourly ? `${String(i).padStart(2, "0")}h` : dateTime(new Date(start), zone).slice(5, 10);
      // Hours still to come are empty bars, not queries.
      if (start > now.getTime()) return { label, requests: 0, tokens: 0, costNanos: 0n };
      const s = await accounting.getPeriodStats(new Date(start), new Date(Math.min(end - 1, range.end.getTime())), filter);
      // A bar is one hour of today or one day: one rate.
      return { label, requests: s.requests, tokens: s.sumTotalTokens, costNanos: money ? shownOnDay(money, zone, s.sumCostNanos, new Date(start)) : s.sumCostNanos };
    }),
  );
  return { unit: hourly ? "hour" : "day", period: typeof period === "object" ? periodLabel(period, zone) : period, buckets };
}

const DAY = 86_400_000;

/** Loads the overview: today, 7 and 30 days, a 30-day daily chart, and the top models (up to 40) of 30 days; days start at midnight in `zone`. */
export async function loadOverview(accounting: Accounting, now: Date, days = 30, filter: DashboardFilter = {}, chartPeriod: Period = "30d", zone: TimeZone = "UTC", money?: DisplayMoney): Promise<OverviewData> {
  const windows = await Promise.all(
    (["today", "7d", "30d"] as const).map(async (period) => {
      const range = periodRange(period, now, zone);
      const s = await accounting.getPeriodStats(range.start, range.end, filter);
      const costNanos = money ? ((await shownSums(money, zone, range.start, range.end, async (a, b) => [["", (await accounting.getPeriodStats(a, b, filter)).sumCostNanos] as const])).get("") ?? 0n) : s.sumCostNanos;
      return { label: { today: "Today", "7d": "7 days", "30d": "30 days" }[period], requests: s.requests, tokens: s.sumTotalTokens, promptTokens: s.sumPromptTokens, completionTokens: s.sumCompletionTokens, cachedTokens: s.sumCachedTokens, executionTime: s.sumExecutionTime, costNanos };
    }),
  );
  const daily = await Promise.all(
    Array.from({ length: days }, async (_, i) => {
      const start = startOfDay(now, zone, days - 1 - i);
      const end = new Date(Math.min(startOfDay(now, zone, days - 2 - i).getTime() - 1, now.getTime()));
      const s = await accounting.getPeriodStats(start, end, filter);
      return { day: dateTime(start, zone).slice(5, 10), costNanos: money ? shownOnDay(money, zone, s.sumCostNanos, start) : s.sumCostNanos, requests: s.requests, tokens: s.sumTotalTokens };
    }),
  );
  const range = periodRange("30d", now, zone);
  const models = await accounting.getModelStats(range.start, range.end, filter);
  const shown = money && (await shownSums(money, zone, range.start, range.end, async (a, b) => (await accounting.getModelStats(a, b, filter)).map((m) => [m.model, m.stats.sumCostNanos] as const)));
  const topModels = models
    .map(({ model, stats }) => ({ key: model, requests: stats.requests, promptTokens: stats.sumPromptTokens, completionTokens: stats.sumCompletionTokens, totalTokens: stats.sumTotalTokens, localPromptTokens: stats.sumLocalPromptTokens, localCompletionTokens: stats.sumLocalCompletionTokens, localTotalTokens: stats.sumLocalTotalTokens, cachedTokens: stats.sumCachedTokens, reasoningTokens: stats.sumReasoningTokens, costNanos: shown ? (shown.get(model) ?? 0n) : stats.sumCostNanos, executionTime: stats.sumExecutionTime }))
    .sort((a, b) => (b.costNanos > a.costNanos ? 1 : b.costNanos < a.costNanos ? -1 : b.requests - a.requests))
    // As many as a tall terminal shows; the summary and small terminals show the first few.
    .slice(0, 40);
  // The 30-day chart is the daily series already read.
  const [chart, rates] = await Promise.all([
    chartPeriod === "30d" && days === 30 ? { unit: "day" as const, period: "30d", buckets: daily.map((d) => ({ label: d.day, requests: d.requests, tokens: d.tokens, costNanos: d.costNanos })) } : loadChart(accounting, now, chartPeriod, filter, zone, money),
    loadRates(accounting, now, filter, money, zone),
  ]);
  return { windows, daily, topModels, chart, rates };
}

/** Breakdown sort keys. */
export type SortKey = "cost" | "requests" | "tokens" | "name";

/** Whether a sort key runs largest first unless reversed (names run A to Z). */
export const descendingByDefault = (sort: SortKey): boolean => sort !== "name";

// Natural order for names: model-2 before model-10, case and accents aside.
const natural = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
const byName = (a: GroupUsageTotals, b: GroupUsageTotals): number => (a.key === null ? (b.key === null ? 0 : 1) : b.key === null ? -1 : natural.compare(a.key, b.key));

/**
 * Sorts breakdown rows by `sort` (largest first, names A to Z in natural order; `reversed` flips
 * it), ties by name; the "(none)" row is the last name.
 */
export function sortGroups(groups: readonly GroupUsageTotals[], sort: SortKey, reversed = false): GroupUsageTotals[] {
  const by: Record<SortKey, (a: GroupUsageTotals, b: GroupUsageTotals) => number> = {
    cost: (a, b) => (a.costNanos > b.costNanos ? 1 : a.costNanos < b.costNanos ? -1 : 0),
    requests: (a, b) => a.requests - b.requests,
    tokens: (a, b) => a.totalTokens - b.totalTokens,
    name: byName,
  };
  const sign = descendingByDefault(sort) !== reversed ? -1 : 1;
  return [...groups].sort((a, b) => sign * by[sort](a, b) || byName(a, b));
}

/** Usage per value of a dimension over a period (of the records the filter keeps), sorted. */
export async function loadBreakdown(accounting: Accounting, now: Date, period: Period, dimension: BreakdownBy, sort: SortKey, filter: DashboardFilter = {}, reversed = false, zone: TimeZone = "UTC", money?: DisplayMoney): Promise<GroupUsageTotals[]> {
  const range = periodRange(period, now, zone);
  const tag = tagKeyOf(dimension);
  const read = (start: Date, end: Date) => (tag === undefined ? accounting.getUsageBreakdown(start, end, dimension as UsageDimension, filter) : accounting.getUsageByTag(start, end, tag, filter));
  const groups = await read(range.start, range.end);
  if (!money) return sortGroups(groups, sort, reversed);
  const shown = await shownSums(money, zone, range.start, range.end, async (a, b) => (await read(a, b)).map((g) => [g.key, g.costNanos] as const));
  return sortGroups(groups.map((g) => ({ ...g, costNanos: shown.get(g.key) ?? 0n })), sort, reversed);
}

/** Calls at the bottom of a drill-down: at most `limit`, newest first, in the period and passing the filter. */
export async function loadCalls(accounting: Accounting, now: Date, period: Period, filter: DashboardFilter, limit = 1000, zone: TimeZone = "UTC", money?: DisplayMoney): Promise<UsageRecord[]> {
  const range = periodRange(period, now, zone);
  const inRange = (r: UsageRecord) => r.timestamp >= range.start && r.timestamp <= range.end;
  const calls = (await accounting.tail(limit, filter)).filter(inRange);
  return money ? calls.map((r) => shownRecord(money, zone, r)) : calls;
}

/** Every limit with its current window's usage; with a filter, the limits that can count the filtered calls. */
export async function loadLimits(accounting: Accounting, filter: DashboardFilter = {}): Promise<LimitStatus[]> {
  return (await accounting.getLimitStatus()).filter((s) => limitConcerns(s.limit, filter));
}

/** The newest alerts (none from a store that keeps no alerts), for the Limits view. */
export async function loadRecentAlerts(accounting: Accounting, count = 3): Promise<StoredAlert[]> {
  if (!accounting.store.listAlerts) return [];
  return accounting.listAlerts({ limit: count });
}

/** What each limit counted in the last hour before `now`, in its own units (USD for cost), by limit id: its pace. */
export async function loadLimitRates(accounting: Accounting, limits: readonly LimitStatus[], now: Date): Promise<Map<number, number>> {
  const start = new Date(now.getTime() - 3_600_000);
  const entries = await Promise.all(
    limits
      .filter((s) => s.limit.maxValue > 0)
      .map(async ({ limit }): Promise<[number, number]> => {
        // Reports do not filter by a tag's presence: a TAG limit's hour is summed through its own filter.
        if (limit.scope === "TAG") return [limit.id, usageAmount(limit, (await accounting.store.sumQuotaUsage([{ filter: usageFilterFor(limit), start, end: now }], now))[0]!)];
        // A limit's unset fields apply to every value: only the set ones narrow.
        const narrow = { ...(limit.model !== null && { model: limit.model }), ...(limit.username !== null && { username: limit.username }), ...(limit.callerName !== null && { callerName: limit.callerName }), ...(limit.projectName !== null && { project: limit.projectName }) };
        const s = await accounting.getPeriodStats(start, now, narrow);
        const value = { requests: s.requests, input_tokens: s.sumPromptTokens, output_tokens: s.sumCompletionTokens, total_tokens: s.sumTotalTokens, cost: Number(s.sumCostNanos) / 1e9 }[limit.limitType] ?? 0;
        return [limit.id, value];
      }),
  );
  return new Map(entries);
}

/** How fast calls and money are going: calls per minute over 5 and 60 minutes, dollars over the last hour and day. */
export interface RateData {
  readonly callsPerMinute5: number;
  readonly callsPerMinute60: number;
  /** Cost of the last hour, nano-dollars: the burn rate in $/h. */
  readonly costLastHour: bigint;
  /** Cost of the last 24 hours, nano-dollars. */
  readonly costLastDay: bigint;
}

/** The rates at `now` of the records passing the filter. */
export async function loadRates(accounting: Accounting, now: Date, filter: DashboardFilter = {}, money?: DisplayMoney, zone: TimeZone = "UTC"): Promise<RateData> {
  const since = (ms: number) => accounting.getPeriodStats(new Date(now.getTime() - ms), now, filter);
  // The last hour or day can span midnight: each side at its own day's rate.
  const shownSince = async (ms: number) => (await shownSums(money!, zone, new Date(now.getTime() - ms), now, async (a, b) => [["", (await accounting.getPeriodStats(a, b, filter)).sumCostNanos] as const])).get("") ?? 0n;
  const [five, hour, day] = await Promise.all([since(5 * 60_000), since(3_600_000), since(86_400_000)]);
  const [costLastHour, costLastDay] = money ? await Promise.all([shownSince(3_600_000), shownSince(86_400_000)]) : [hour.sumCostNanos, day.sumCostNanos];
  return { callsPerMinute5: five.requests / 5, callsPerMinute60: hour.requests / 60, costLastHour, costLastDay };
}

/** The live view: the newest records (that pass the filter), and the current rates. */
export interface LiveData {
  readonly records: UsageRecord[];
  readonly rates: RateData;
}

/** Records the live view loads: more than a screen, so the list scrolls back. */
export const LIVE_ROWS = 500;

/** The newest `rows` usage records (that pass the filter) and the rates. */
export async function loadLive(accounting: Accounting, rows: number, filter: DashboardFilter = {}, now = new Date(), money?: DisplayMoney, zone: TimeZone = "UTC"): Promise<LiveData> {
  const [records, rates] = await Promise.all([accounting.tail(rows, filter), loadRates(accounting, now, filter, money, zone)]);
  return { records: money ? records.map((r) => shownRecord(money, zone, r)) : records, rates };
}

/** The newest audit entries, optionally of one log type, that pass the filter. */
export async function loadAudit(audit: AuditStore, logType: string | undefined, rows: number, filter: DashboardFilter = {}): Promise<AuditEntry[]> {
  const narrowed = auditFilter(filter);
  if (!narrowed) return [];
  await audit.open();
  return audit.listAuditEntries({ limit: rows, ...narrowed, ...(logType && { logType }) });
}
