import { basename, dirname } from "node:path";
import { Box, Text, useApp, useInput, useStdout, type Key } from "ink";
import { useCallback, useEffect, useRef, useState } from "react";
import { visibleText, type Accounting, type AuditEntry, type AuditStore, type GroupUsageTotals, type LimitStatus, type StoredAlert, type UsageDimension, type UsageRecord } from "@llm-accounting/core";
import { LIVE_ROWS, loadAudit, loadLimitRates, loadRecentAlerts, loadBreakdown, loadCalls, loadLimits, loadLive, loadOverview, type LiveData, type OverviewData, type RateData, type SortKey } from "../data/load.js";
import { drillLabel, drillLevel, tagKeyOf, type BreakdownBy, type DrillStep } from "../data/drill.js";
import { writeExport, type ExportFormat } from "../data/export.js";
import { dateTime, dayNumber, localZone, zoneLabel, type TimeZone } from "../data/zone.js";
import { nextPeriod, parseCustomPeriod, periodLabel, type Period } from "../data/period.js";
import { filterLabel, isFiltered, parseFilter, type DashboardFilter } from "../data/filter.js";
import { Audit } from "./Audit.js";
import { colour, usd } from "./format.js";
import { Breakdown } from "./Breakdown.js";
import { Limits } from "./Limits.js";
import { Live } from "./Live.js";
import { MEASURES, Overview, type ChartMeasure } from "./Overview.js";
import { Help } from "./Help.js";
import { footerText, viewKeys, type KeyContext } from "./keys.js";
import type { View } from "./view.js";

export type { View } from "./view.js";

const VIEW_KEYS: Record<string, View> = { o: "overview", b: "breakdown", l: "limits", v: "live", a: "audit", "1": "overview", "2": "breakdown", "3": "limits", "4": "live", "5": "audit" };
const DIMENSIONS: UsageDimension[] = ["model", "username", "project", "callerName", "session"];
const NO_TAG_KEYS: readonly string[] = [];
const SORTS: SortKey[] = ["cost", "requests", "tokens", "name"];
const AUDIT_TYPES: (string | undefined)[] = [undefined, "prompt", "response", "event"];
/** `3.2 calls/min (5 min) · 2.9 (1 h) · $1.2300/h (1 h) · $20.1000/day (24 h)`: how fast calls and money go. */
export const rateLine = (r: RateData): string =>
  `${r.callsPerMinute5.toFixed(1)} calls/min (5 min) · ${r.callsPerMinute60.toFixed(1)} (1 h) · ${usd(r.costLastHour)}/h (last hour) · ${usd(r.costLastDay)}/day (24 h)`;
const levelKey = (dimension: BreakdownBy, drill: readonly DrillStep[]): string => JSON.stringify([dimension, drill]);
const next = <T,>(list: readonly T[], value: T): T => list[(list.indexOf(value) + 1) % list.length]!;
/** Audit entries loaded at a time; scrolling past the last loaded one loads this many more. */
export const AUDIT_PAGE = 200;
const NO_KEY: Key = { upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, super: false, hyper: false, capsLock: false, numLock: false };

type Loaded =
  | { view: "overview"; data: OverviewData }
  | { view: "breakdown"; data: GroupUsageTotals[]; calls?: UsageRecord[]; level: string }
  | { view: "limits"; data: LimitStatus[]; rates: Map<number, number>; alerts: StoredAlert[] }
  | { view: "live"; data: LiveData; markAfterId: number | undefined }
  | { view: "audit"; data: AuditEntry[] };

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
}

/** The interactive dashboard: a header, the current view, and a footer of keys. */
export function App({ accounting, audit, location, now = systemClock, refreshMs = DEFAULT_REFRESH_MS, initialView = "overview", exportDir = process.cwd(), timeZone = defaultZone, tagKeys = NO_TAG_KEYS }: AppProps) {
  const { exit } = useApp();
  const { stdout } = useStdout();
  // The size lives in state, updated on "resize": Ink repaints its last output on a resize without
  // re-rendering components, so a size read only while rendering kept the old layout.
  const [size, setSize] = useState(() => ({ columns: stdout.columns ?? 80, rows: stdout.rows ?? 24 }));
  useEffect(() => {
    const onResize = () => setSize((old) => (old.columns === (stdout.columns ?? 80) && old.rows === (stdout.rows ?? 24) ? old : { columns: stdout.columns ?? 80, rows: stdout.rows ?? 24 }));
    onResize();
    stdout.on("resize", onResize);
    return () => {
      stdout.off("resize", onResize);
    };
  }, [stdout]);
  const tooSmall = size.columns < MIN_COLUMNS || size.rows < MIN_ROWS;
  // Data is still loaded for the smallest layout while too small, so growing the terminal shows it at once.
  const width = Math.max(MIN_COLUMNS, size.columns);
  const height = Math.max(MIN_ROWS, size.rows);
  const [view, setView] = useState<View>(initialView);
  const [period, setPeriod] = useState<Period>("7d");
  // The overview chart's own period (per hour today, per day otherwise) and measure.
  const [chartPeriod, setChartPeriod] = useState<Period>("30d");
  const [measure, setMeasure] = useState<ChartMeasure>("cost");
  const [dimension, setDimension] = useState<BreakdownBy>("model");
  const [sort, setSort] = useState<SortKey>("cost");
  const [reversed, setReversed] = useState(false);
  // The live view stops taking new rows while paused; f (follow) resumes at the newest.
  const [paused, setPaused] = useState(false);
  const [liveKey, setLiveKey] = useState(0);
  const liveNewest = useRef<number | undefined>(undefined);
  const liveShown = useRef<Extract<Loaded, { view: "live" }> | undefined>(undefined);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  // The breakdown rows drilled into, outermost first (Enter adds one, Esc removes the last).
  const [drill, setDrill] = useState<readonly DrillStep[]>([]);
  const [auditType, setAuditType] = useState<string | undefined>(undefined);
  const [selected, setSelected] = useState(0);
  const [open, setOpen] = useState(false);
  // The `?` overlay listing the current view's keys.
  const [help, setHelp] = useState(false);
  // Text typed at the custom-period prompt; undefined when the prompt is closed.
  const [typing, setTypingState] = useState<string | undefined>(undefined);
  // Which prompt is open (the custom period or the `/` filter), and why the last Enter was refused.
  const promptKind = useRef<"period" | "filter" | "export">("period");
  // The outcome of the last export (a file name or an error), shown until the next key.
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const [promptError, setPromptError] = useState<string | undefined>(undefined);
  // What every view shows: records passing this filter (set with `/`, cleared with Esc).
  const [filter, setFilter] = useState<DashboardFilter>({});
  // Keys can arrive faster than renders (a paste); the ref always holds the latest text.
  const typingRef = useRef<string | undefined>(undefined);
  const setTyping = (next: string | undefined | ((current: string | undefined) => string | undefined)) => {
    typingRef.current = typeof next === "function" ? next(typingRef.current) : next;
    setTypingState(typingRef.current);
  };
  const [loaded, setLoaded] = useState<Loaded | undefined>(undefined);
  // When the store was last checked (ms, whole seconds): the header's clock.
  const [checked, setChecked] = useState<number | undefined>(undefined);
  const [auditRows, setAuditRows] = useState(AUDIT_PAGE);
  const [error, setError] = useState<string | undefined>(undefined);
  // One row less than the terminal: output as tall as the terminal makes Ink clear the whole
  // screen and redraw it on every frame, even an unchanged one.
  const rows = height - 1;
  const bodyRows = rows - 4;

  const load = useCallback(async (at: Date): Promise<Loaded> => {
    switch (view) {
      case "overview":
        return { view, data: await loadOverview(accounting, at, 30, filter, chartPeriod, timeZone) };
      case "breakdown": {
        const level = drillLevel(dimension, drill, filter);
        const key = levelKey(dimension, drill);
        if (level.dimension === "calls") return { view, data: [], calls: (await loadCalls(accounting, at, period, level.filter, 1000, timeZone)).filter(level.keep), level: key };
        return { view, data: await loadBreakdown(accounting, at, period, level.dimension, sort, level.filter, reversed, timeZone), level: key };
      }
      case "limits": {
        // With each limit's pace over the last hour, to say when it fills.
        const data = await loadLimits(accounting, filter);
        return { view, data, rates: await loadLimitRates(accounting, data, at), alerts: await loadRecentAlerts(accounting) };
      }
      case "live": {
        // Paused, the list stays as it is: no read at all, not even the one a restarted check makes.
        if (pausedRef.current && liveShown.current) return liveShown.current;
        const data = await loadLive(accounting, LIVE_ROWS, filter, at);
        // Rows that arrived since the previous load are marked new (none on the first): ids grow
        // with every insert, so those are the ones above the previous load's largest.
        const markAfterId = liveNewest.current;
        liveNewest.current = Math.max(liveNewest.current ?? 0, ...data.records.map((r) => r.id));
        liveShown.current = { view, data, markAfterId };
        return liveShown.current;
      }
      case "audit":
        return { view, data: await loadAudit(audit, auditType, auditRows, filter) };
    }
  }, [accounting, audit, view, period, chartPeriod, dimension, sort, reversed, drill, auditType, auditRows, filter, timeZone]);

  // What the current view depends on besides its settings, read with cheap queries (the limits
  // version, the newest usage or audit id, the count of usage records changed or deleted — a
  // reprice or purge adds no row) and the clock boundary that moves its windows: the report is
  // reloaded only when this changes, so an idle dashboard costs a few indexed reads a second.
  const changeMark = useCallback(async (at: Date): Promise<string> => {
    if (view === "audit") return String((await audit.listAuditEntries({ limit: 1, ...(auditType && { logType: auditType }) }))[0]?.id ?? 0);
    const [newest, mutations] = await Promise.all([accounting.tail(1), accounting.store.usageMutations?.() ?? 0]);
    const usage = `${newest[0]?.id ?? 0}:${mutations}`;
    // Paused, the live view keeps what it shows; the rates move with the clock (each minute).
    if (view === "live") return paused ? "paused" : `${usage}:${Math.floor(at.getTime() / 60_000)}`;
    // Limits show rolling windows and "resets in": re-read each minute; the other views' named
    // periods start at a day boundary of the dashboard's zone.
    const boundary = view === "limits" ? Math.floor(at.getTime() / 60_000) : dayNumber(at, timeZone);
    return `${await accounting.store.limitsVersion()}:${usage}:${boundary}`;
  }, [accounting, audit, view, auditType, paused, timeZone]);

  useEffect(() => {
    let alive = true;
    let busy = false;
    let loadedMark: string | undefined;
    const tick = async () => {
      // Skip a beat rather than queue refreshes behind a slow one; input stays responsive either way.
      if (busy) return;
      busy = true;
      try {
        const at = now();
        const mark = await changeMark(at);
        if (mark !== loadedMark) {
          const result = await load(at);
          if (!alive) return;
          setLoaded(result);
          loadedMark = mark;
        }
        if (alive) {
          // Whole seconds: React skips a render when the value is unchanged, so the header's clock
          // repaints at most once a second.
          setChecked(Math.floor(at.getTime() / 1000) * 1000);
          setError(undefined);
        }
      } catch (e) {
        if (alive) setError((e as Error).message.split("\n")[0]);
      } finally {
        busy = false;
      }
    };
    void tick();
    const timer = setInterval(() => void tick(), refreshMs);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [load, changeMark, refreshMs, now]);

  // Ink re-subscribes the key handler in an effect after each render, which can run after the frame
  // is on screen: a key pressed in between reaches the previous handler. It reads this ref, which
  // every render updates, so keys act on what the user sees.
  const shown = useRef({ view, loaded, open, help });
  shown.current = { view, loaded, open, help };
  const filterRef = useRef(filter);
  filterRef.current = filter;
  // The breakdown's selected row, which it sets as it draws: Enter is handled here, by a handler
  // that is always subscribed (the breakdown's own one was not yet when a key came with its first frame).
  const breakdownSelection = useRef<{ current: GroupUsageTotals | undefined }>({ current: undefined });
  const drillRef = useRef(drill);
  drillRef.current = drill;
  // Enter on a breakdown row: one level deeper (model → users → sessions → calls).
  const onDrill = (row: GroupUsageTotals) => {
    const level = drillLevel(dimension, drillRef.current, filterRef.current);
    if (level.dimension === "calls" || tagKeyOf(level.dimension) !== undefined) return;
    drillRef.current = [...drillRef.current, { dimension: level.dimension as UsageDimension, key: row.key }];
    setDrill(drillRef.current);
  };
  const selectedRef = useRef(selected);
  selectedRef.current = selected;
  const auditRowsRef = useRef(auditRows);
  auditRowsRef.current = auditRows;

  const setHelpNow = (value: boolean) => {
    setHelp(value);
    // Keys later in the same batch see the overlay as it now is.
    shown.current = { ...shown.current, help: value };
  };

  // The breakdown lists groups (not the calls at the bottom of a drill-down): s and r apply.
  const atGroups = () => drillLevel(dimension, drillRef.current, filterRef.current).dimension !== "calls";

  // Writes what the current view shows (all its rows, with filter and period) to a new file.
  const exportView = async (format: ExportFormat) => {
    const { view, loaded } = shown.current;
    if (!loaded || loaded.view !== view) return;
    const level = drillLevel(dimension, drillRef.current, filterRef.current);
    const title = view === "breakdown" ? `breakdown by ${level.dimension}` : view;
    const filterText = [filterLabel(filterRef.current), view === "breakdown" ? drillLabel(drillRef.current) : ""].filter(Boolean).join(" ");
    const context = { title, ...(view === "breakdown" && { period: periodLabel(period, timeZone) }), filter: filterText, at: now() };
    try {
      const { path, rows } = await writeExport(loaded, context, format, exportDir);
      // The file name first: a long directory is what gets cut.
      setNotice(`Exported ${rows} ${rows === 1 ? "row" : "rows"} to ${basename(path)} in ${dirname(path)}`);
    } catch (e) {
      setNotice(`Export failed: ${(e as Error).message.split("\n")[0]}`);
    }
  };

  const onKey = (input: string, key: Key): void => {
    const { view, loaded, open, help } = shown.current;
    if (key.ctrl && input === "c") return exit();
    const typed = typingRef.current;
    if (notice !== undefined) setNotice(undefined);
    if (typed !== undefined && promptKind.current === "export") {
      setTyping(undefined);
      if (input === "c" || input === "j") void exportView(input === "c" ? "csv" : "json");
      return;
    }
    if (typed !== undefined && promptKind.current === "filter") {
      if (key.escape) setTyping(undefined);
      else if (key.return) {
        const parsed = parseFilter(typed);
        if ("filter" in parsed) {
          setFilter(parsed.filter);
          setTyping(undefined);
          setSelected(0);
          setAuditRows(AUDIT_PAGE);
        } else setPromptError(parsed.error);
      } else if (key.backspace || key.delete) setTyping((t) => (t ?? "").slice(0, -1));
      else if (input.length === 1 && input >= " " && !key.ctrl && !key.meta) setTyping((t) => `${t ?? ""}${input}`);
      return;
    }
    if (typed !== undefined) {
      if (key.escape) setTyping(undefined);
      else if (key.return) {
        const custom = parseCustomPeriod(typed, timeZone);
        if (custom) {
          if (shown.current.view === "overview") setChartPeriod(custom);
          else setPeriod(custom);
          setTyping(undefined);
        } else setTyping(`${typed.replace(/ ?\(use .*\)$/, "")} (use YYYY-MM-DD YYYY-MM-DD)`);
      } else if (key.backspace || key.delete) setTyping((t) => (t ?? "").replace(/ ?\(use .*\)$/, "").slice(0, -1));
      else if (/^[\d\- .]$/.test(input)) setTyping((t) => `${(t ?? "").replace(/ ?\(use .*\)$/, "")}${input}`);
      return;
    }
    if (input === "q") return exit();
    if (help) {
      // The overlay's own scroll keys reach its list; Esc or ? closes it, a view key goes there.
      if (key.escape || input === "?") setHelpNow(false);
      else if (VIEW_KEYS[input]) {
        setHelpNow(false);
        onKey(input, key);
      }
      return;
    }
    if (input === "?") return setHelpNow(true);
    if (input === "e" && !open && loaded?.view === view) {
      promptKind.current = "export";
      return setTyping("");
    }
    if (input === "/" && !open) {
      promptKind.current = "filter";
      setPromptError(undefined);
      // The current filter, to edit rather than retype.
      const label = filterLabel(filterRef.current);
      return setTyping(label ? `${label} ` : "");
    }
    if (open) {
      if (key.escape || key.backspace || input === "h") setOpen(false);
      return;
    }
    const target = VIEW_KEYS[input];
    if (target) {
      setView(target);
      setSelected(0);
      // Keys later in the same batch act on the new view.
      shown.current = { ...shown.current, view: target };
      return;
    }
    // Keys of one view do nothing on the others (they are not offered there either).
    if (view === "breakdown" && input === "p") setPeriod(nextPeriod);
    else if (view === "overview" && input === "p") setChartPeriod(nextPeriod);
    else if (view === "overview" && input === "m") setMeasure((m) => next(MEASURES, m));
    else if ((view === "breakdown" || view === "overview") && input === "c") {
      promptKind.current = "period";
      setTyping("");
    } else if (view === "breakdown" && key.return && atGroups() && loaded?.view === "breakdown" && breakdownSelection.current.current) {
      onDrill(breakdownSelection.current.current);
    } else if (view === "breakdown" && (key.escape || key.backspace) && drillRef.current.length > 0) {
      // Back up one level of the drill-down.
      drillRef.current = drillRef.current.slice(0, -1);
      setDrill(drillRef.current);
    } else if (key.escape && isFiltered(filterRef.current)) {
      setFilter({});
      setSelected(0);
      setAuditRows(AUDIT_PAGE);
    }
    else if (view === "breakdown" && input === "d") {
      // Another dimension starts a new drill-down.
      setDimension((d) => next([...DIMENSIONS, ...tagKeys.map((k): BreakdownBy => `tag:${k}`)], d));
      drillRef.current = [];
      setDrill([]);
    } else if (view === "breakdown" && input === "s" && atGroups()) {
      setSort((s) => next(SORTS, s));
      setReversed(false);
    } else if (view === "breakdown" && input === "r" && atGroups()) setReversed((r) => !r);
    else if (view === "live" && input === " ") {
      // The ref at once: a refresh already under way must not replace the list being read.
      pausedRef.current = !pausedRef.current;
      setPaused(pausedRef.current);
    }
    else if (view === "live" && input === "f") {
      pausedRef.current = false;
      setPaused(false);
      // A new list instance starts at the top, on the newest call.
      setLiveKey((k) => k + 1);
    } else if (input === "t" && view === "audit") {
      setAuditType((t) => next(AUDIT_TYPES, t));
      setSelected(0);
      setAuditRows(AUDIT_PAGE);
    } else if (view === "audit" && loaded?.view === "audit") {
      const last = loaded.data.length - 1;
      // A full page means older entries may exist: moving past the last one loads the next page.
      const more = loaded.data.length >= auditRowsRef.current;
      const page = Math.max(1, bodyRows - 3);
      const moveTo = (target: number) => {
        if (target > last && more) setAuditRows((n) => Math.max(n, loaded.data.length + AUDIT_PAGE));
        // The ref too, so keys of the same batch move on from here.
        selectedRef.current = Math.max(0, Math.min(target, more ? last + 1 : last));
        setSelected(selectedRef.current);
      };
      if (key.downArrow || input === "j") moveTo(selectedRef.current + 1);
      else if (key.upArrow || input === "k") moveTo(selectedRef.current - 1);
      else if (key.pageDown) moveTo(selectedRef.current + page);
      else if (key.pageUp) moveTo(selectedRef.current - page);
      else if (key.home) moveTo(0);
      else if (key.end) moveTo(last);
      else if (key.return && loaded.data.length > 0) {
        setOpen(true);
        shown.current = { ...shown.current, open: true };
      }
    }
  };

  // Keys typed faster than the terminal hands them over, and pastes, arrive as one string: each
  // character is a key of its own (escape sequences such as arrows are already parsed by Ink).
  useInput((input, key) => {
    if (input.length <= 1 || key.ctrl || key.meta) return onKey(input, key);
    for (const char of input) onKey(char, { ...NO_KEY, return: char === "\r" || char === "\n", backspace: char === "\x7f" || char === "\b" });
  });

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
        {` · ${clock} ${zoneLabel(timeZone)} · ${visibleText(location)}`}
      </Text>
      <Box flexDirection="column" flexGrow={1} marginTop={1}>
        {error ? <Text color={colour("red")}>{`Error: ${visibleText(error)}`}</Text> : null}
        {help ? <Help title={`the ${view}${view === "audit" && open ? " entry" : ""} view`} keys={viewKeys(view, keyContext)} width={width} height={bodyRows} /> : null}
        {/* The view stays mounted under the overlay (hidden, its keys off), so it keeps its scroll position. */}
        <Box flexDirection="column" display={help ? "none" : "flex"}>
        {!current && view !== "breakdown" && view !== "live" ? <Text>Loading…</Text> : null}
        {current?.view === "overview" ? <Overview data={current.data} width={width} height={bodyRows} measure={measure} timeZone={timeZone} /> : null}
        {current?.view === "breakdown" && current.calls ? <Live records={current.calls} width={width} height={bodyRows} active={viewKeysOn} timeZone={timeZone} /> : null}
        {view === "breakdown" && breakdownLevel.dimension !== "calls" ? (
          // One instance for every level, mounted while loading too, so its key handler is subscribed
          // before the rows show; each level opens on its first row.
          <Breakdown resetKey={levelKey(dimension, drill)} selection={breakdownSelection.current} rows={current?.view === "breakdown" ? current.data : undefined} dimension={breakdownLevel.dimension} sort={sort} reversed={reversed} width={width} height={bodyRows} active={viewKeysOn} />
        ) : null}
        {current?.view === "limits" ? <Limits limits={current.data} now={checked !== undefined ? new Date(checked) : now()} width={width} height={bodyRows} active={viewKeysOn} rates={current.rates} alerts={current.alerts} /> : null}
        {view === "live" ? (
          // Mounted while loading too, so its key handler is subscribed before the rows show.
          <Box flexDirection="column">
            {current?.view !== "live" ? <Text>Loading…</Text> : null}
            {current?.view === "live" ? <Text wrap="truncate-end">
              {paused ? <Text color={colour("yellow")}>{"PAUSED (space resumes, f follows) · "}</Text> : current.markAfterId !== undefined && current.data.records.some((r) => r.id > current.markAfterId!) ? "+ new · " : ""}
              {rateLine(current.data.rates)}
            </Text> : null}
            <Live key={liveKey} timeZone={timeZone} records={current?.view === "live" ? current.data.records : undefined} width={width} height={bodyRows - 1} active={viewKeysOn} markAfterId={current?.view === "live" ? current.markAfterId : undefined} />
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
          {`Filter (model: user: project: caller: session:, ⏎ apply, Esc cancel): ${visibleText(typing)}`}
          {promptError ? <Text color={colour("red")}>{`  ${visibleText(promptError)}`}</Text> : null}
        </Text>
      ) : null}
      <Text dimColor wrap="truncate-end">
        {footerText(view, keyContext, width)}
      </Text>
    </Box>
  );
}
