import { Box, Text } from "ink";
import type { ChartBucket, OverviewData } from "../data/load.js";
import { BarChart } from "./BarChart.js";
import { zoneLabel, type TimeZone } from "../data/zone.js";
import { count, fit, money, sparkline } from "./format.js";
import { currencySymbol } from "@llm-accounting/core";

/** `$1.23` / `$0.0012` (`€1.23` in another currency): short enough for a chart axis, exact to the cent above a unit. */
export const axisUsd = (value: number, currency?: string): string => {
  const sign = currency ? currencySymbol(currency) : "$";
  return value >= 100 ? `${sign}${Math.round(value)}` : value >= 1 ? `${sign}${value.toFixed(2)}` : value === 0 ? `${sign}0` : `${sign}${value.toPrecision(2)}`;
};

// Rows the overview needs besides the chart and the model list: the windows table (4), the burn
// rate, the gaps (2), the chart's title and the models' header.
const FIXED_ROWS = 9;

/** What the overview chart shows, cycled with `m`. */
export type ChartMeasure = "cost" | "tokens" | "requests";
/** The measures in `m` order. */
export const MEASURES: readonly ChartMeasure[] = ["cost", "tokens", "requests"];

const measureOf = (measure: ChartMeasure, currency?: string): { title: string; value: (b: ChartBucket) => number; text: (b: ChartBucket) => string; axis: (v: number) => string } =>
  ({
    cost: { title: currency ? `Cost (${currency})` : "Cost", value: (b: ChartBucket) => Number(b.costNanos) / 1e9, text: (b: ChartBucket) => money(b.costNanos, currency), axis: (v: number) => axisUsd(v, currency) },
    tokens: { title: "Tokens", value: (b: ChartBucket) => b.tokens, text: (b: ChartBucket) => count(b.tokens), axis: (v: number) => compact(v) },
    requests: { title: "Requests", value: (b: ChartBucket) => b.requests, text: (b: ChartBucket) => count(b.requests), axis: (v: number) => compact(v) },
  })[measure];

/** `950`, `12.3k`, `4.1M`: a count short enough for a chart axis. */
export const compact = (v: number): string => (v >= 1e6 ? `${(v / 1e6).toFixed(1)}M` : v >= 1e4 ? `${(v / 1e3).toFixed(1)}k` : String(Math.round(v)));

const PERIOD_TEXT: Record<string, string> = { "7d": "last 7 days", "30d": "last 30 days", month: "this month" };

/**
 * Cost, tokens and requests for today, 7 and 30 days; a daily cost chart; the top models. It fills
 * the `width` x `height` it gets: more columns when wide, a chart with an axis and more models when
 * tall (a one-line sparkline and five models at 80x24).
 */
export function Overview({ data, width, height = 19, measure = "cost", timeZone = "UTC", currency }: { data: OverviewData; width: number; height?: number; measure?: ChartMeasure; timeZone?: TimeZone; currency?: string | undefined }) {
  const how = measureOf(measure, currency);
  // A long custom period shows its latest days that fit on the line.
  const buckets = data.chart.buckets.slice(-Math.max(1, width - 16));
  const values = buckets.map(how.value);
  const peak = buckets.reduce((best, b) => (how.value(b) > how.value(best) ? b : best), buckets[0] ?? { label: "-", costNanos: 0n, requests: 0, tokens: 0 });
  const chartTitle = `${how.title} per ${data.chart.unit}, ${data.chart.period === "today" ? `today (${zoneLabel(timeZone)})` : (PERIOD_TEXT[data.chart.period] ?? data.chart.period)} (peak ${peak.label}: ${how.text(peak)})`;
  const r = data.rates;
  const wide = width >= 120;
  const nameWidth = Math.max(12, Math.min(wide ? 48 : 30, width - (wide ? 76 : 48)));
  const spare = Math.max(0, height - FIXED_ROWS);
  // A tall terminal gets a chart of several rows (plus its axis line and labels) and more models.
  // The models take the rows they need (up to half), the chart the rest (up to 24 rows).
  const chartRows = spare >= 16 ? Math.min(24, spare - 2 - Math.min(Math.max(1, data.topModels.length), Math.floor(spare / 2))) : 0;
  const modelRows = Math.max(1, spare - (chartRows > 0 ? chartRows + 2 : 1));
  // The last row says how many more there are when they do not all fit.
  const shownModels = data.topModels.slice(0, data.topModels.length > modelRows ? Math.max(1, modelRows - 1) : modelRows);
  const head = (w: { requests: string; tokens: string; prompt: string; completion: string; cached: string; cost: string; avg: string }) =>
    `${fit(w.requests, 12, "right")}${fit(w.tokens, 14, "right")}${wide ? `${fit(w.prompt, 14, "right")}${fit(w.completion, 14, "right")}${fit(w.cached, 12, "right")}` : ""}${fit(w.cost, 14, "right")}${wide ? fit(w.avg, 14, "right") : ""}`;
  return (
    <Box flexDirection="column">
      <Text bold>{`${fit("", 10)}${head({ requests: "Requests", tokens: "Tokens", prompt: "Input", completion: "Output", cached: "Cached", cost: "Cost", avg: "Per request" })}`}</Text>
      {data.windows.map((w) => (
        <Text key={w.label}>
          {`${fit(w.label, 10)}${head({ requests: count(w.requests), tokens: count(w.tokens), prompt: count(w.promptTokens), completion: count(w.completionTokens), cached: count(w.cachedTokens), cost: money(w.costNanos, currency), avg: w.requests === 0 ? "-" : money(w.costNanos / BigInt(w.requests), currency) })}`}
        </Text>
      ))}
      <Text wrap="truncate-end">{`Burn rate ${money(r.costLastHour, currency)}/h (last hour) · ${money(r.costLastDay / 24n, currency)}/h (24 h average) · ${r.callsPerMinute5.toFixed(1)} calls/min (5 min)`}</Text>
      <Box marginTop={1} flexDirection="column">
        <Text bold wrap="truncate-end">{chartTitle}</Text>
        {chartRows > 0 ? (
          <BarChart bars={buckets.map((b) => ({ label: b.label, value: how.value(b) }))} width={width - 1} height={chartRows} format={how.axis} />
        ) : (
          <Text>{`${buckets[0]?.label ?? ""} ${sparkline(values)} ${buckets[buckets.length - 1]?.label ?? ""}`}</Text>
        )}
      </Box>
      <Box marginTop={1} flexDirection="column">
        <Text bold>{`${fit("Top models (30 days)", nameWidth)}${fit("Requests", 12, "right")}${wide ? `${fit("Tokens", 14, "right")}${fit("Share", 8, "right")}` : ""}${fit("Cost", 14, "right")}`}</Text>
        {data.topModels.length === 0 ? <Text>No usage in the last 30 days</Text> : null}
        {shownModels.map((m) => {
          const total = data.windows[2]?.costNanos ?? 0n;
          const share = total === 0n ? "-" : `${(Number((m.costNanos * 1000n) / total) / 10).toFixed(1)}%`;
          return <Text key={m.key ?? "-"}>{`${fit(m.key ?? "-", nameWidth)}${fit(count(m.requests), 12, "right")}${wide ? `${fit(count(m.totalTokens), 14, "right")}${fit(share, 8, "right")}` : ""}${fit(money(m.costNanos, currency), 14, "right")}`}</Text>;
        })}
        {data.topModels.length > shownModels.length ? <Text dimColor>{`… and ${data.topModels.length - shownModels.length} more: the breakdown (b) lists them all`}</Text> : null}
      </Box>
    </Box>
  );
}
