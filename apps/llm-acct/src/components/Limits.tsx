import { Box, Text } from "ink";
import { scopeText, type LimitStatus } from "@llm-accounting/core";
import { bar, count, fit, until } from "./format.js";

const amount = (status: LimitStatus, value: number) => (status.limit.limitType === "cost" ? `$${value.toFixed(2)}` : count(value));

/** Every limit with a usage bar for its current window, what is left, and when it resets. */
export function Limits({ limits, now, width }: { limits: readonly LimitStatus[]; now: Date; width: number }) {
  if (limits.length === 0) return <Text>No usage limits. Add one with: llm-acct limits set --help</Text>;
  const labelWidth = Math.max(12, Math.min(40, width - 63));
  return (
    <Box flexDirection="column">
      <Text bold>{`${fit("Limit", labelWidth)} ${fit("Usage", 14)} ${fit("Used / Max", 21, "right")} ${fit("Left", 10, "right")}  Resets`}</Text>
      {limits.map((s) => {
        const { limit } = s;
        const unlimited = limit.maxValue === -1;
        const ratio = unlimited ? 0 : limit.maxValue === 0 ? (s.used > 0 ? 1 : 0) : s.used / limit.maxValue;
        // A marker keeps the state readable without colour: ! near the limit, X at or over it.
        const mark = unlimited ? " " : ratio >= 1 ? "X" : ratio >= 0.8 ? "!" : " ";
        const color = mark === "X" ? "red" : mark === "!" ? "yellow" : "green";
        const label = `${scopeText(limit)} ${limit.limitType}/${limit.intervalValue} ${limit.intervalUnit}`;
        return (
          <Text key={limit.id}>
            {`${fit(label, labelWidth)} `}
            <Text color={color}>{unlimited ? fit("unlimited", 14) : `${bar(ratio, 12)}${mark} `}</Text>
            {`${fit(`${amount(s, s.used)} / ${unlimited ? "∞" : amount(s, limit.maxValue)}`, 21, "right")} ${fit(unlimited ? "∞" : amount(s, s.remaining), 10, "right")}  ${fit(until(s.resetAt, now), 11)}`}
          </Text>
        );
      })}
    </Box>
  );
}
