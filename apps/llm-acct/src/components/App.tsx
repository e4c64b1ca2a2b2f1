import { Box, Text } from "ink";
import { visibleText, type Accounting, type AuditStore } from "@llm-accounting/core";
import type { RateData } from "../data/load.js";
import { drillLabel, drillLevel, tagKeyOf } from "../data/drill.js";
import { dateTime, localZone, zoneLabel, type TimeZone } from "../data/zone.js";
import { periodLabel } from "../data/period.js";
import { filterLabel, isFiltered } from "../data/filter.js";
import { Audit } from "./Audit.js";
import { colour, money as moneyText } from "./format.js";
import type { DisplayMoney } from "../data/money.js";
import { Breakdown } from "./Breakdown.js";
import { Limits } from "./Limits.js";
import { Live } from "./Live.js";
import { Overview } from "./Overview.js";
import { Help } from "./Help.js";
import { footerText, viewKeys, type KeyContext } from "./keys.js";
import { levelKey, useDashboardState } from "./dashboard-state.js";
import { useDashboardKeys } from "./use-dashboard-keys.js";
import { useTerminalSize } from "./use-terminal-size.js";
import { useViewData } from "./use-view-data.js";
import type { View } from "./view.js";

export type { View } from "./view.js";
export { AUDIT_PAGE } from "./dashboard-state.js";

const NO_TAG_KEYS: readonly string[] = [];
/** `3.2 calls/min (5 min) · 2.9 (1 h) · $1.2300/h (1 h) · $20.1000/day (24 h)`: how fast calls and money go (in `currency` when converted). */
export const rateLine = (r: RateData, currency?: string): string =>
  `${r.callsPerMinute5.toFixed(1)} calls/min (5 min) · ${r.callsPerMinute60.toFixed(1)} (1 h) · ${moneyText(r.costLastHour, currency)}/h (last hour) · ${moneyText(r.costLastDay, currency)}/day (24 h)`;

/** The smallest terminal the dashboard lays out in; below it, it says so. */
export const MIN_COLUMNS = 60;
/** See MIN_COLUMNS. */
export const MIN_ROWS = 16;

/** How often the current view reloads: new rows from other processes show within this plus one query (under 2 s). */
export const DEFAULT_REFRESH_MS = 1000;

// One clock for every render: a default written inline would be a new function on each render,
// which re-created the loader and restarted the refresh effect on every frame (a render loop).
const systemClock = (): Date => new Date();
// Read once, like the clock: a default computed inline would differ by identity on each render.
const defaultZone = localZone();

/** Props of the dashboard: where the data comes from, and the clock and refresh period (tests pin both). */
export interface AppProps {
  readonly accounting: Accounting;
  readonly audit: AuditStore;
  readonly location: string;
  readonly now?: () => Date;
  readonly refreshMs?: number;
  readonly initialView?: View;
  /** Where `e` writes exports (default: the working directory). */
  readonly exportDir?: string;
  /** Where days start and how times read (default: the terminal's zone). */
  readonly timeZone?: TimeZone;
  /** Tag keys the breakdown offers after the columns (`d` cycles through them too). */
  readonly tagKeys?: readonly string[];
  /** Show amounts in this currency at these dated rates (`--currency`, `--rates`); limits stay in USD. */
  readonly money?: DisplayMoney;
}

/** The interactive dashboard: a header, the current view, and a footer of keys. */
export function App({ accounting, audit, location, now = systemClock, refreshMs = DEFAULT_REFRESH_MS, initialView = "overview", exportDir = process.cwd(), timeZone = defaultZone, tagKeys = NO_TAG_KEYS, money }: AppProps) {
  const size = useTerminalSize();
  const tooSmall = size.columns < MIN_COLUMNS || size.rows < MIN_ROWS;
  // Data is still loaded for the smallest layout while too small, so growing the terminal shows it at once.
  const width = Math.max(MIN_COLUMNS, size.columns);
  const height = Math.max(MIN_ROWS, size.rows);
  const state = useDashboardState(initialView);
  const { view, period, measure, dimension, sort, reversed, paused, liveKey, drill, auditType, selected, open, help, typing, promptKind, notice, promptError, filter, breakdownSelection } = state;
  const { loaded, checked, error } = useViewData(state, { accounting, audit, now, refreshMs, timeZone, ...(money && { money }) });
  const currency = money?.currency;
  // One row less than the terminal: output as tall as the terminal makes Ink clear the whole
  // screen and redraw it on every frame, even an unchanged one.
  const rows = height - 1;
  const bodyRows = rows - 4;
  useDashboardKeys(state, { loaded, now, timeZone, tagKeys, exportDir, bodyRows, ...(currency && { currency }) });

  // Below the minimum the columns would wrap into each other: one line saying so instead.
  if (tooSmall) return <Text>{`terminal too small (needs ${MIN_COLUMNS}x${MIN_ROWS}, have ${size.columns}x${size.rows})`}</Text>;

  // A breakdown loaded for another drill level is not shown as this one's.
  const current = loaded?.view === view && (loaded.view !== "breakdown" || loaded.level === levelKey(dimension, drill)) ? loaded : undefined;
  const breakdownLevel = drillLevel(dimension, drill, filter);
  // The view's own keys (scrolling, Enter) are off under the help overlay and while a prompt takes the typing.
  const viewKeysOn = !help && typing === undefined;
  const keyContext: KeyContext = { auditOpen: open, drilled: drill.length > 0, canDrill: breakdownLevel.dimension !== "calls", canOpen: breakdownLevel.dimension !== "calls" && tagKeyOf(breakdownLevel.dimension) === undefined, filtered: isFiltered(filter), paused };
  const clock = checked !== undefined ? dateTime(new Date(checked), timeZone).slice(11, 19) : "--:--:--";
  return (
    <Box flexDirection="column" width={width} height={rows}>
      <Text wrap="truncate-end">
        <Text bold>llm-acct</Text>
        {` · ${view}${view === "breakdown" ? ` by ${breakdownLevel.dimension}, ${periodLabel(period, timeZone)}${drill.length ? ` · in ${visibleText(drillLabel(drill))}` : ""}` : ""}`}
        {isFiltered(filter) ? <Text color={colour("yellow")}>{` · filter ${visibleText(filterLabel(filter))}`}</Text> : null}
        {` · ${clock} ${zoneLabel(timeZone)}${currency ? ` · amounts in ${currency}` : ""} · ${visibleText(location)}`}
      </Text>
      <Box flexDirection="column" flexGrow={1} marginTop={1}>
        {error ? <Text color={colour("red")}>{`Error: ${visibleText(error)}`}</Text> : null}
        {help ? <Help title={`the ${view}${view === "audit" && open ? " entry" : ""} view`} keys={viewKeys(view, keyContext)} width={width} height={bodyRows} /> : null}
        {/* The view stays mounted under the overlay (hidden, its keys off), so it keeps its scroll position. */}
        <Box flexDirection="column" display={help ? "none" : "flex"}>
        {!current && view !== "breakdown" && view !== "live" ? <Text>Loading…</Text> : null}
        {current?.view === "overview" ? <Overview data={current.data} width={width} height={bodyRows} measure={measure} timeZone={timeZone} currency={currency} /> : null}
        {current?.view === "breakdown" && current.calls ? <Live records={current.calls} width={width} height={bodyRows} active={viewKeysOn} timeZone={timeZone} currency={currency} /> : null}
        {view === "breakdown" && breakdownLevel.dimension !== "calls" ? (
          // One instance for every level, mounted while loading too, so its key handler is subscribed
          // before the rows show; each level opens on its first row.
          <Breakdown resetKey={levelKey(dimension, drill)} selection={breakdownSelection.current} rows={current?.view === "breakdown" ? current.data : undefined} dimension={breakdownLevel.dimension} sort={sort} reversed={reversed} width={width} height={bodyRows} active={viewKeysOn} currency={currency} />
        ) : null}
        {current?.view === "limits" ? <Limits limits={current.data} now={checked !== undefined ? new Date(checked) : now()} width={width} height={bodyRows} active={viewKeysOn} rates={current.rates} alerts={current.alerts} /> : null}
        {view === "live" ? (
          // Mounted while loading too, so its key handler is subscribed before the rows show.
          <Box flexDirection="column">
            {current?.view !== "live" ? <Text>Loading…</Text> : null}
            {current?.view === "live" ? <Text wrap="truncate-end">
              {paused ? <Text color={colour("yellow")}>{"PAUSED (space resumes, f follows) · "}</Text> : current.markAfterId !== undefined && current.data.records.some((r) => r.id > current.markAfterId!) ? "+ new · " : ""}
              {rateLine(current.data.rates, currency)}
            </Text> : null}
            <Live key={liveKey} timeZone={timeZone} currency={currency} records={current?.view === "live" ? current.data.records : undefined} width={width} height={bodyRows - 1} active={viewKeysOn} markAfterId={current?.view === "live" ? current.markAfterId : undefined} />
          </Box>
        ) : null}
        {current?.view === "audit" ? <Audit entries={current.data} selected={Math.min(selected, current.data.length - 1)} open={open} logType={auditType} width={width} height={bodyRows} active={viewKeysOn} timeZone={timeZone} /> : null}
        </Box>
      </Box>
      {typing !== undefined && promptKind.current === "export" ? <Text>{"Export this view as c CSV or j JSON (any other key cancels)"}</Text> : null}
      {notice !== undefined ? <Text wrap="truncate-end">{visibleText(notice)}</Text> : null}
      {typing !== undefined && promptKind.current === "period" ? <Text>{`Days (${zoneLabel(timeZone)}) from to, ⏎/Esc: ${typing}`}</Text> : null}
      {typing !== undefined && promptKind.current === "filter" ? (
        <Text wrap="truncate-start">
          {`Filter (model: user: project: caller: session: tier:, ⏎ apply, Esc cancel): ${visibleText(typing)}`}
          {promptError ? <Text color={colour("red")}>{`  ${visibleText(promptError)}`}</Text> : null}
        </Text>
      ) : null}
      <Text dimColor wrap="truncate-end">
        {footerText(view, keyContext, width)}
      </Text>
    </Box>
  );
}
