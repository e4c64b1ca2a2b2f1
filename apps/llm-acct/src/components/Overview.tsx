import { Box, Text } from "ink";
import type { OverviewData } from "../data/load.js";
import { BarChart } from "./BarChart.js";
import { count, fit, sparkline, usd } from "./format.js";

/** `$1.23` / `$0.0012`: short enough for a chart axis, exact to the cent above a dollar. */
export const axisUsd = (value: number): string => (value >= 100 ? `$${Math.round(value)}` : value >= 1 ? `$${value.toFixed(2)}` : value === 0 ? "$0" : `$${value.toPrecision(2)}`);

// Rows the overview needs besides the chart and the model list: the windows table (4), the gaps (2),
// the chart's title and the models' header.
const FIXED_ROWS = 8;

/**
 * Cost, tokens and requests for today, 7 and 30 days; a daily cost chart; the top models. It fills
 * the `width` x `height` it gets: more columns when wide, a chart with an axis and more models when
 * tall (a one-line sparkline and five models at 80x24).
 */
export function Overview({ data, width, height = 19 }: { data: OverviewData; width: number; height?: number }) {
  const costs = data.daily.map((d) => Number(d.costNanos));
  const peak = data.daily.reduce((best, d) => (d.costNanos > best.costNanos ? d : best), data.daily[0] ?? { day: "-", costNanos: 0n, requests: 0 });
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
          {`${fit(w.label, 10)}${head({ requests: count(w.requests), tokens: count(w.tokens), prompt: count(w.promptTokens), completion: count(w.completionTokens), cached: count(w.cachedTokens), cost: usd(w.costNanos), avg: w.requests === 0 ? "-" : usd(w.costNanos / BigInt(w.requests)) })}`}
        </Text>
      ))}
      <Box marginTop={1} flexDirection="column">
        <Text bold>{`Cost per day, last ${data.daily.length} days (peak ${peak.day}: ${usd(peak.costNanos)})`}</Text>
        {chartRows > 0 ? (
          <BarChart bars={data.daily.map((d) => ({ label: d.day, value: Number(d.costNanos) / 1e9 }))} width={width - 1} height={chartRows} format={axisUsd} />
        ) : (
          <Text>{`${data.daily[0]?.day ?? ""} ${sparkline(costs)} ${data.daily[data.daily.length - 1]?.day ?? ""}`}</Text>
        )}
      </Box>
      <Box marginTop={1} flexDirection="column">
        <Text bold>{`${fit("Top models (30 days)", nameWidth)}${fit("Requests", 12, "right")}${wide ? `${fit("Tokens", 14, "right")}${fit("Share", 8, "right")}` : ""}${fit("Cost", 14, "right")}`}</Text>
        {data.topModels.length === 0 ? <Text>No usage in the last 30 days</Text> : null}
        {shownModels.map((m) => {
          const total = data.windows[2]?.costNanos ?? 0n;
          const share = total === 0n ? "-" : `${(Number((m.costNanos * 1000n) / total) / 10).toFixed(1)}%`;
          return <Text key={m.key ?? "-"}>{`${fit(m.key ?? "-", nameWidth)}${fit(count(m.requests), 12, "right")}${wide ? `${fit(count(m.totalTokens), 14, "right")}${fit(share, 8, "right")}` : ""}${fit(usd(m.costNanos), 14, "right")}`}</Text>;
        })}
        {data.topModels.length > shownModels.length ? <Text dimColor>{`… and ${data.topModels.length - shownModels.length} more: the breakdown (b) lists them all`}</Text> : null}
      </Box>
    </Box>
  );
}
