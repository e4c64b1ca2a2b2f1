import { Box, Text } from "ink";
import type { UsageRecord } from "@llm-accounting/core";
import { count, fit, money } from "./format.js";
import { scrollLabel, useScroll } from "./scroll.js";
import { dateTime, zoneLabel, type TimeZone } from "../data/zone.js";

interface Column {
  readonly title: string;
  readonly width: number;
  readonly align?: "right";
  readonly cell: (r: UsageRecord) => string;
}

// Always shown, in this order; the optional ones join, in OPTIONAL's order, while the line has room.
const time = (zone: TimeZone): Column => ({ title: `Time (${zoneLabel(zone)})`, width: 19, cell: (r) => dateTime(r.timestamp, zone) });
const USER: Column = { title: "User", width: 9, cell: (r) => r.username ?? "-" };
const PROJECT: Column = { title: "Project", width: 9, cell: (r) => r.project ?? "-" };
const TOKENS: Column = { title: "Tokens", width: 8, align: "right", cell: (r) => count(r.totalTokens) };
// An unpriced call's cost is not $0: it says so, whatever the width. Records come converted when a currency is shown.
const cost = (currency?: string): Column => ({ title: currency ? `Cost ${currency}` : "Cost", width: 11, align: "right", cell: (r) => (r.costSource === "unpriced" ? "unpriced" : money(r.costNanos, currency)) });
const OPTIONAL: Column[] = [
  { title: "Caller", width: 13, cell: (r) => r.callerName ?? "-" },
  { title: "Latency", width: 9, align: "right", cell: (r) => (r.executionTime > 0 ? `${r.executionTime.toFixed(2)}s` : "-") },
  { title: "Session", width: 15, cell: (r) => r.session ?? "-" },
  { title: "Cost from", width: 10, cell: (r) => r.costSource ?? "-" },
];
const MODEL_MIN = 10;
const MODEL_MAX = 32;

/** The columns that fit in `width`, and the model column's width (what is left, within bounds). */
function layout(width: number, zone: TimeZone, currency?: string): { columns: Column[]; modelWidth: number } {
  const TIME = time(zone);
  const COST = cost(currency);
  const base = [TIME, USER, PROJECT, TOKENS, COST];
  const used = (cols: Column[]) => cols.reduce((n, c) => n + c.width + 1, 0);
  const optional: Column[] = [];
  for (const column of OPTIONAL) if (used([...base, ...optional, column]) + 16 <= width - 1) optional.push(column);
  const columns = [TIME, USER, PROJECT, ...optional.filter((c) => c.title !== "Cost from"), TOKENS, COST, ...optional.filter((c) => c.title === "Cost from")];
  return { columns, modelWidth: Math.max(MODEL_MIN, Math.min(MODEL_MAX, width - 2 - used(columns))) };
}

const line = (cells: string[]): string => cells.join(" ");

/**
 * The newest usage records, refreshed as other processes add them: time, model, user, project,
 * tokens and cost, plus caller, latency, session and where the cost came from as the width allows.
 * Unpriced calls read "unpriced"; rows newer than `markAfterId` are marked with `+`. Taller than
 * `height`, the list scrolls (↑↓ PgUp/PgDn Home/End while `active`). Undefined records: still loading.
 */
export function Live({ records: loaded, width, height = Number.POSITIVE_INFINITY, active = true, markAfterId, timeZone = "UTC", currency }: { records: readonly UsageRecord[] | undefined; width: number; height?: number; active?: boolean; markAfterId?: number; timeZone?: TimeZone; currency?: string | undefined }) {
  const records = loaded ?? [];
  const { columns, modelWidth } = layout(width, timeZone, currency);
  const row = (r: UsageRecord | undefined) => {
    const cells = columns.map((c) => fit(r ? c.cell(r) : c.title, c.width, c.align));
    cells.splice(1, 0, fit(r ? r.model : "Model", modelWidth));
    return line(cells);
  };
  // The header takes a row, and a position line another when the records do not all fit.
  const all = Math.max(1, height - 1);
  const listRows = records.length > all ? Math.max(1, all - 1) : all;
  const top = useScroll(records.length, listRows, active);
  return (
    <Box flexDirection="column">
      <Text bold>{` ${row(undefined)}`}</Text>
      {loaded !== undefined && records.length === 0 ? <Text>No usage recorded yet</Text> : null}
      {records.slice(top, top + listRows).map((r) => (
        <Text key={r.id}>{`${markAfterId !== undefined && r.id > markAfterId ? "+" : " "}${row(r)}`}</Text>
      ))}
      {records.length > listRows ? <Text dimColor>{`${scrollLabel("calls", top, listRows, records.length)}  ↑↓ PgUp/PgDn Home/End`}</Text> : null}
    </Box>
  );
}
