import { Box, Text } from "ink";
import type { GroupUsageTotals, UsageDimension } from "@llm-accounting/core";
import type { SortKey } from "../data/load.js";
import { bar, count, fit, usd } from "./format.js";
import { scrollLabel, useScroll } from "./scroll.js";

const TITLES: Record<UsageDimension, string> = { model: "Model", username: "User", callerName: "Caller", project: "Project", session: "Session" };

/** Usage per model, user, caller, project or session, with each row's share of the cost (rows in `sort` order), scrolled with ↑↓ PgUp/PgDn Home/End. */
export function Breakdown({ rows, dimension, sort, width, height, active = true }: { rows: readonly GroupUsageTotals[]; dimension: UsageDimension; sort: SortKey; width: number; height: number; active?: boolean }) {
  const total = rows.reduce((sum, r) => sum + r.costNanos, 0n);
  const nameWidth = Math.max(10, Math.min(28, width - 62));
  // The header and a position line take two rows of the height.
  const listRows = Math.max(1, height - 2);
  const top = useScroll(rows.length, listRows, active);
  const shown = rows.slice(top, top + listRows);
  return (
    <Box flexDirection="column">
      <Text bold>{`${fit(TITLES[dimension], nameWidth)}${fit("Requests", 10, "right")}${fit("Tokens", 13, "right")}${fit("Cost", 13, "right")}  Share of cost`}</Text>
      {rows.length === 0 ? <Text>No usage in this period</Text> : null}
      {shown.map((r) => {
        const share = total === 0n ? 0 : Number((r.costNanos * 10_000n) / total) / 10_000;
        return (
          <Text key={r.key ?? "\0"}>
            {`${fit(r.key ?? "(none)", nameWidth)}${fit(count(r.requests), 10, "right")}${fit(count(r.totalTokens), 13, "right")}${fit(usd(r.costNanos), 13, "right")}  ${bar(share, 12)} ${(share * 100).toFixed(1).padStart(5)}%`}
          </Text>
        );
      })}
      {rows.length > listRows ? <Text dimColor>{`${scrollLabel("rows", top, listRows, rows.length)}  ↑↓ PgUp/PgDn Home/End`}</Text> : null}
    </Box>
  );
}
