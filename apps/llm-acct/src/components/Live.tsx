import { Box, Text } from "ink";
import type { UsageRecord } from "@llm-accounting/core";
import { count, fit, usd } from "./format.js";

/** The newest usage records, refreshed as other processes add them. */
export function Live({ records, width }: { records: readonly UsageRecord[]; width: number }) {
  // The other columns take 63 cells: the model gets what is left of the line, so rows never wrap.
  const modelWidth = Math.max(10, Math.min(24, width - 63));
  return (
    <Box flexDirection="column">
      <Text bold>{`${fit("Time (UTC)", 20)}${fit("Model", modelWidth)} ${fit("User", 10)} ${fit("Project", 10)}${fit("Tokens", 9, "right")}${fit("Cost", 12, "right")}`}</Text>
      {records.length === 0 ? <Text>No usage recorded yet</Text> : null}
      {records.map((r) => (
        <Text key={r.id}>
          {`${fit(r.timestamp.toISOString().slice(0, 19).replace("T", " "), 20)}${fit(r.model, modelWidth)} ${fit(r.username ?? "-", 10)} ${fit(r.project ?? "-", 10)}${fit(count(r.totalTokens), 9, "right")}${fit(usd(r.costNanos), 12, "right")}`}
        </Text>
      ))}
    </Box>
  );
}
