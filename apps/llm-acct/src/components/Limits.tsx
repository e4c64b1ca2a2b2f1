import { Box, Text } from "ink";
import { scopeText, type LimitStatus } from "@llm-accounting/core";
import { bar, colour, count, fit, until, usageRatio } from "./format.js";

const amount = (status: LimitStatus, value: number) => (status.limit.limitType === "cost" ? `$${value.toFixed(2)}` : count(value));

/**
 * Every limit with a usage bar for its current window, what is left, and when it resets. When they
 * do not all fit in `height` rows, the fullest are shown (in their usual order) and the rest counted.
 */
export function Limits({ limits, now, width, height = Number.POSITIVE_INFINITY }: { limits: readonly LimitStatus[]; now: Date; width: number; height?: number }) {
  if (limits.length === 0) return <Text>No usage limits. Add one with: llm-acct limits set --help</Text>;
  // Narrow terminals get a shorter bar, so the label keeps enough to tell limits apart.
  const barWidth = width >= 100 ? 12 : 6;
  const labelWidth = Math.max(12, Math.min(40, width - 51 - barWidth));
  const room = Math.max(1, height - 2);
  const fullest = limits.length <= room ? null : new Set([...limits].sort((a, b) => usageRatio(b) - usageRatio(a)).slice(0, room).map((s) => s.limit.id));
  const shown = fullest ? limits.filter((s) => fullest.has(s.limit.id)) : limits;
  return (
    <Box flexDirection="column">
      <Text bold>{`${fit("Limit", labelWidth)} ${fit("Usage", barWidth + 2)} ${fit("Used / Max", 21, "right")} ${fit("Left", 10, "right")}  Resets`}</Text>
      {shown.map((s) => {
        const { limit } = s;
        const unlimited = limit.maxValue === -1;
        const ratio = usageRatio(s);
        // A marker keeps the state readable without colour: ! near the limit, X at or over it.
        const mark = unlimited ? " " : ratio >= 1 ? "X" : ratio >= 0.8 ? "!" : " ";
        const color = mark === "X" ? "red" : mark === "!" ? "yellow" : "green";
        const label = `${scopeText(limit)} ${limit.limitType}/${limit.intervalValue} ${limit.intervalUnit}`;
        return (
          <Text key={limit.id}>
            {`${fit(label, labelWidth)} `}
            <Text color={colour(color)}>{unlimited ? fit("unlimited", barWidth + 2) : `${bar(ratio, barWidth)}${mark} `}</Text>
            {`${fit(`${amount(s, s.used)} / ${unlimited ? "∞" : amount(s, limit.maxValue)}`, 21, "right")} ${fit(unlimited ? "∞" : amount(s, s.remaining), 10, "right")}  ${fit(until(s.resetAt, now), 11)}`}
          </Text>
        );
      })}
      {shown.length < limits.length ? <Text dimColor>{`… and ${limits.length - shown.length} more, none fuller than those above`}</Text> : null}
    </Box>
  );
}
