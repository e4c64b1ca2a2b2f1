import { Box, Text } from "ink";
import type { GroupUsageTotals, UsageDimension } from "@llm-accounting/core";
import type { SortKey } from "../data/load.js";
import { bar, count, fit, usd } from "./format.js";
import { scrollLabel, useScroll } from "./scroll.js";

const TITLES: Record<UsageDimension, string> = { model: "Model", username: "User", callerName: "Caller", project: "Project", session: "Session" };

/** Usage per model, user, caller, project or session, with each row's share of the cost (rows in `sort` order), scrolled with ↑↓ PgUp/PgDn Home/End. */
export function Breakdown({ rows, dimension, sort, width, height, active = true }: { rows: readonly GroupUsageTotals[]; dimension: UsageDimension; sort: SortKey; width: number; height: number; active?: boolean }) {
  const total = rows.reduce((sum, r) => sum + r.costNanos, 0n);
  // Wide terminals add input and output tokens, cost per request and average model time, and
  // give the name and the share bar the rest of the line.
  const wide = width >= 130;
  const fixed = 10 + 13 + 13 + 2 + 7 + (wide ? 13 + 13 + 12 + 9 : 0);
  const nameWidth = Math.max(10, Math.min(wide ? 40 : 28, width - fixed - 13));
  const barWidth = Math.max(12, Math.min(40, width - 1 - fixed - nameWidth));
  // The header and a position line take two rows of the height.
  const listRows = Math.max(1, height - 2);
  const top = useScroll(rows.length, listRows, active);
  const shown = rows.slice(top, top + listRows);
  return (
    <Box flexDirection="column">
      <Text bold>{`${fit(TITLES[dimension], nameWidth)}${fit("Requests", 10, "right")}${fit("Tokens", 13, "right")}${wide ? `${fit("Input", 13, "right")}${fit("Output", 13, "right")}` : ""}${fit("Cost", 13, "right")}${wide ? `${fit("Per request", 12, "right")}${fit("Avg time", 9, "right")}` : ""}  Share of cost`}</Text>
      {rows.length === 0 ? <Text>No usage in this period</Text> : null}
      {shown.map((r) => {
        const share = total === 0n ? 0 : Number((r.costNanos * 10_000n) / total) / 10_000;
        return (
          <Text key={r.key ?? "\0"}>
            {`${fit(r.key ?? "(none)", nameWidth)}${fit(count(r.requests), 10, "right")}${fit(count(r.totalTokens), 13, "right")}${wide ? `${fit(count(r.promptTokens), 13, "right")}${fit(count(r.completionTokens), 13, "right")}` : ""}${fit(usd(r.costNanos), 13, "right")}${wide ? `${fit(r.requests === 0 ? "-" : usd(r.costNanos / BigInt(r.requests)), 12, "right")}${fit(r.requests === 0 ? "-" : `${(r.executionTime / r.requests).toFixed(2)}s`, 9, "right")}` : ""}  ${bar(share, barWidth)} ${(share * 100).toFixed(1).padStart(5)}%`}
          </Text>
        );
      })}
      {rows.length > listRows ? <Text dimColor>{`${scrollLabel("rows", top, listRows, rows.length)}  ↑↓ PgUp/PgDn Home/End`}</Text> : null}
    </Box>
  );
}
