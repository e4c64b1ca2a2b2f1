import { Box, Text } from "ink";
import type { GroupUsageTotals, UsageDimension } from "@llm-accounting/core";
import { descendingByDefault, type SortKey } from "../data/load.js";
import { tagKeyOf, type BreakdownBy } from "../data/drill.js";
import { bar, count, fit, money } from "./format.js";
import { scrollLabel, useSelection } from "./scroll.js";

const TITLES: Record<UsageDimension, string> = { model: "Model", username: "User", callerName: "Caller", project: "Project", session: "Session", serviceTier: "Service tier" };

/** Props of the breakdown table. */
export interface BreakdownProps {
  /** The rows; undefined while they load. */
  readonly rows: readonly GroupUsageTotals[] | undefined;
  readonly dimension: BreakdownBy;
  readonly sort: SortKey;
  /** The sort runs the other way than its default (smallest first, names Z to A). */
  readonly reversed?: boolean;
  readonly width: number;
  readonly height: number;
  /** Keys move the selection (off while an overlay covers the view). */
  readonly active?: boolean;
  /** Enter on a row: drill into it. */
  readonly onOpen?: (row: GroupUsageTotals) => void;
  /** Set to the selected row on every render (for a parent that handles Enter itself). */
  readonly selection?: { current: GroupUsageTotals | undefined };
  /** Other rows in the same place (a drill level): the selection goes back to the first row. */
  readonly resetKey?: string;
  /** The currency the rows' costs are in (converted by the loader); US dollars without. */
  readonly currency?: string | undefined;
}

/**
 * Usage per model, user, caller, project, session, service tier or value of a tag, with each row's share of the cost, in `sort`
 * order (the sorted column marked ▼ largest first or ▲); a selected row (`>`) moved with ↑↓ PgUp/PgDn
 * Home/End, Enter opens it.
 */
export function Breakdown({ rows: loaded, dimension, sort, reversed = false, width, height, active = true, onOpen, selection, resetKey, currency }: BreakdownProps) {
  const rows = loaded ?? [];
  const total = rows.reduce((sum, r) => sum + r.costNanos, 0n);
  // Wide terminals add input and output tokens, cost per request and average model time, and
  // give the name and the share bar the rest of the line. One cell marks the selected row.
  const wide = width >= 130;
  const fixed = 1 + 10 + 13 + 13 + 2 + 7 + (wide ? 13 + 13 + 12 + 9 : 0);
  const nameWidth = Math.max(10, Math.min(wide ? 40 : 28, width - fixed - 13));
  const barWidth = Math.max(12, Math.min(40, width - 1 - fixed - nameWidth));
  // The header and a position line take two rows of the height.
  const listRows = Math.max(1, height - 2);
  const { selected, top } = useSelection(rows.length, listRows, active, (i) => rows[i] && onOpen?.(rows[i]), resetKey);
  if (selection) selection.current = rows[selected];
  const shown = rows.slice(top, top + listRows);
  const arrow = descendingByDefault(sort) !== reversed ? "▼" : "▲";
  const title = (key: SortKey, text: string) => (key === sort ? `${text} ${arrow}` : text);
  return (
    <Box flexDirection="column">
      <Text bold>{` ${fit(title("name", tagKeyOf(dimension) === undefined ? TITLES[dimension as UsageDimension] : `Tag ${tagKeyOf(dimension)}`), nameWidth)}${fit(title("requests", "Requests"), 10, "right")}${fit(title("tokens", "Tokens"), 13, "right")}${wide ? `${fit("Input", 13, "right")}${fit("Output", 13, "right")}` : ""}${fit(title("cost", currency ? `Cost ${currency}` : "Cost"), 13, "right")}${wide ? `${fit("Per request", 12, "right")}${fit("Avg time", 9, "right")}` : ""}  Share of cost`}</Text>
      {loaded === undefined ? <Text>Loading…</Text> : rows.length === 0 ? <Text>No usage in this period</Text> : null}
      {shown.map((r, i) => {
        const share = total === 0n ? 0 : Number((r.costNanos * 10_000n) / total) / 10_000;
        const mark = top + i === selected ? ">" : " ";
        return (
          <Text key={r.key ?? "\0"} inverse={top + i === selected && active}>
            {`${mark}${fit(r.key ?? "(none)", nameWidth)}${fit(count(r.requests), 10, "right")}${fit(count(r.totalTokens), 13, "right")}${wide ? `${fit(count(r.promptTokens), 13, "right")}${fit(count(r.completionTokens), 13, "right")}` : ""}${fit(money(r.costNanos, currency), 13, "right")}${wide ? `${fit(r.requests === 0 ? "-" : money(r.costNanos / BigInt(r.requests), currency), 12, "right")}${fit(r.requests === 0 ? "-" : `${(r.executionTime / r.requests).toFixed(2)}s`, 9, "right")}` : ""}  ${bar(share, barWidth)} ${(share * 100).toFixed(1).padStart(5)}%`}
          </Text>
        );
      })}
      {rows.length > listRows ? <Text dimColor>{`${scrollLabel("rows", top, listRows, rows.length)}  ↑↓ PgUp/PgDn Home/End`}</Text> : null}
    </Box>
  );
}
