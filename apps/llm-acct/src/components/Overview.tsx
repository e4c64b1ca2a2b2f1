import { Box, Text } from "ink";
import type { OverviewData } from "../data/load.js";
import { count, fit, sparkline, usd } from "./format.js";

/** Cost, tokens and requests for today, 7 and 30 days; a daily cost chart; the top models. */
export function Overview({ data, width }: { data: OverviewData; width: number }) {
  const costs = data.daily.map((d) => Number(d.costNanos));
  const peak = data.daily.reduce((best, d) => (d.costNanos > best.costNanos ? d : best), data.daily[0] ?? { day: "-", costNanos: 0n, requests: 0 });
  const nameWidth = Math.max(12, Math.min(30, width - 48));
  return (
    <Box flexDirection="column">
      <Text bold>{`${fit("", 10)}${fit("Requests", 12, "right")}${fit("Tokens", 14, "right")}${fit("Cost", 14, "right")}`}</Text>
      {data.windows.map((w) => (
        <Text key={w.label}>{`${fit(w.label, 10)}${fit(count(w.requests), 12, "right")}${fit(count(w.tokens), 14, "right")}${fit(usd(w.costNanos), 14, "right")}`}</Text>
      ))}
      <Box marginTop={1} flexDirection="column">
        <Text bold>{`Cost per day, last ${data.daily.length} days (peak ${peak.day}: ${usd(peak.costNanos)})`}</Text>
        <Text>{`${data.daily[0]?.day ?? ""} ${sparkline(costs)} ${data.daily[data.daily.length - 1]?.day ?? ""}`}</Text>
      </Box>
      <Box marginTop={1} flexDirection="column">
        <Text bold>{`${fit("Top models (30 days)", nameWidth)}${fit("Requests", 12, "right")}${fit("Cost", 14, "right")}`}</Text>
        {data.topModels.length === 0 ? <Text>No usage in the last 30 days</Text> : null}
        {data.topModels.map((m) => (
          <Text key={m.key ?? "-"}>{`${fit(m.key ?? "-", nameWidth)}${fit(count(m.requests), 12, "right")}${fit(usd(m.costNanos), 14, "right")}`}</Text>
        ))}
      </Box>
    </Box>
  );
}
