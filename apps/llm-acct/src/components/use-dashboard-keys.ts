import { basename, dirname } from "node:path";
import { useApp, useInput, type Key } from "ink";
import { useRef } from "react";
import type { GroupUsageTotals, UsageDimension } from "@llm-accounting/core";
import type { SortKey } from "../data/load.js";
import { drillLabel, drillLevel, tagKeyOf, type BreakdownBy } from "../data/drill.js";
import { writeExport, type ExportFormat } from "../data/export.js";
import type { TimeZone } from "../data/zone.js";
import { nextPeriod, parseCustomPeriod, periodLabel } from "../data/period.js";
import { filterLabel, isFiltered, parseFilter } from "../data/filter.js";
import { AUDIT_PAGE, type DashboardState, type Loaded } from "./dashboard-state.js";
import { MEASURES } from "./Overview.js";
import type { View } from "./view.js";

const VIEW_KEYS: Record<string, View> = { o: "overview", b: "breakdown", l: "limits", v: "live", a: "audit", "1": "overview", "2": "breakdown", "3": "limits", "4": "live", "5": "audit" };
const DIMENSIONS: UsageDimension[] = ["model", "username", "project", "callerName", "session", "serviceTier"];
const SORTS: SortKey[] = ["cost", "requests", "tokens", "name"];
const AUDIT_TYPES: (string | undefined)[] = [undefined, "prompt", "response", "event"];
const next = <T,>(list: readonly T[], value: T): T => list[(list.indexOf(value) + 1) % list.length]!;
const NO_KEY: Key = { upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, super: false, hyper: false, capsLock: false, numLock: false };

/** What the key handler needs besides the dashboard's state. */
export interface KeyOptions {
  readonly loaded: Loaded | undefined;
  readonly now: () => Date;
  readonly timeZone: TimeZone;
  readonly tagKeys: readonly string[];
  readonly exportDir: string;
  /** Rows the current view has, for PgUp/PgDn in the audit list. */
  readonly bodyRows: number;
  /** The currency the loaded costs are in (exports name their cost column after it); US dollars without. */
  readonly currency?: string;
}

/** Subscribes the dashboard's key handler: view keys, the prompts, help, drill-down, export and quit. */
export function useDashboardKeys(s: DashboardState, { loaded, now, timeZone, tagKeys, exportDir, bodyRows, currency }: KeyOptions): void {
  const { exit } = useApp();
  const { view, open, help, filter, drill, selected, auditRows, dimension, period, notice, typingRef, setTyping, promptKind, pausedRef, breakdownSelection } = s;
  // Ink re-subscribes the key handler in an effect after each render, which can run after the frame
  // is on screen: a key pressed in between reaches the previous handler. It reads this ref, which
  // every render updates, so keys act on what the user sees.
  const shown = useRef({ view, loaded, open, help });
  shown.current = { view, loaded, open, help };
  const filterRef = useRef(filter);
  filterRef.current = filter;
  const drillRef = useRef(drill);
  drillRef.current = drill;
  // Enter on a breakdown row: one level deeper (model → users → sessions → calls).
  const onDrill = (row: GroupUsageTotals) => {
    const level = drillLevel(dimension, drillRef.current, filterRef.current);
    if (level.dimension === "calls" || tagKeyOf(level.dimension) !== undefined) return;
    drillRef.current = [...drillRef.current, { dimension: level.dimension as UsageDimension, key: row.key }];
    s.setDrill(drillRef.current);
  };
  const selectedRef = useRef(selected);
  selectedRef.current = selected;
  const auditRowsRef = useRef(auditRows);
  auditRowsRef.current = auditRows;

  const setHelpNow = (value: boolean) => {
    s.setHelp(value);
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
    const context = { title, ...(view === "breakdown" && { period: periodLabel(period, timeZone) }), filter: filterText, at: now(), ...(currency && { currency }) };
    try {
      const { path, rows } = await writeExport(loaded, context, format, exportDir);
      // The file name first: a long directory is what gets cut.
      s.setNotice(`Exported ${rows} ${rows === 1 ? "row" : "rows"} to ${basename(path)} in ${dirname(path)}`);
    } catch (e) {
      s.setNotice(`Export failed: ${(e as Error).message.split("\n")[0]}`);
    }
  };

  // A key while a prompt is open: the prompt takes it, whatever it is.
  const onPromptKey = (typed: string, input: string, key: Key): void => {
    if (promptKind.current === "export") {
      setTyping(undefined);
      if (input === "c" || input === "j") void exportView(input === "c" ? "csv" : "json");
      return;
    }
    if (promptKind.current === "filter") {
      if (key.escape) setTyping(undefined);
      else if (key.return) {
        const parsed = parseFilter(typed);
        if ("filter" in parsed) {
          s.setFilter(parsed.filter);
          setTyping(undefined);
          s.setSelected(0);
          s.setAuditRows(AUDIT_PAGE);
        } else s.setPromptError(parsed.error);
      } else if (key.backspace || key.delete) setTyping((t) => (t ?? "").slice(0, -1));
      else if (input.length === 1 && input >= " " && !key.ctrl && !key.meta) setTyping((t) => `${t ?? ""}${input}`);
      return;
    }
    if (key.escape) setTyping(undefined);
    else if (key.return) {
      const custom = parseCustomPeriod(typed, timeZone);
      if (custom) {
        if (shown.current.view === "overview") s.setChartPeriod(custom);
        else s.setPeriod(custom);
        setTyping(undefined);
      } else setTyping(`${typed.replace(/ ?\(use .*\)$/, "")} (use YYYY-MM-DD YYYY-MM-DD)`);
    } else if (key.backspace || key.delete) setTyping((t) => (t ?? "").replace(/ ?\(use .*\)$/, "").slice(0, -1));
    else if (/^[\d\- .]$/.test(input)) setTyping((t) => `${(t ?? "").replace(/ ?\(use .*\)$/, "")}${input}`);
  };

  // A key of the audit list: scrolling (loading older pages past the last row) and Enter to open.
  const onAuditKey = (data: readonly unknown[], input: string, key: Key): void => {
    const last = data.length - 1;
    // A full page means older entries may exist: moving past the last one loads the next page.
    const more = data.length >= auditRowsRef.current;
    const page = Math.max(1, bodyRows - 3);
    const moveTo = (target: number) => {
      if (target > last && more) s.setAuditRows((n) => Math.max(n, data.length + AUDIT_PAGE));
      // The ref too, so keys of the same batch move on from here.
      selectedRef.current = Math.max(0, Math.min(target, more ? last + 1 : last));
      s.setSelected(selectedRef.current);
    };
    if (key.downArrow || input === "j") moveTo(selectedRef.current + 1);
    else if (key.upArrow || input === "k") moveTo(selectedRef.current - 1);
    else if (key.pageDown) moveTo(selectedRef.current + page);
    else if (key.pageUp) moveTo(selectedRef.current - page);
    else if (key.home) moveTo(0);
    else if (key.end) moveTo(last);
    else if (key.return && data.length > 0) {
      s.setOpen(true);
      shown.current = { ...shown.current, open: true };
    }
  };

  const onKey = (input: string, key: Key): void => {
    const { view, loaded, open, help } = shown.current;
    if (key.ctrl && input === "c") return exit();
    const typed = typingRef.current;
    if (notice !== undefined) s.setNotice(undefined);
    if (typed !== undefined) return onPromptKey(typed, input, key);
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
      s.setPromptError(undefined);
      // The current filter, to edit rather than retype.
      const label = filterLabel(filterRef.current);
      return setTyping(label ? `${label} ` : "");
    }
    if (open) {
      if (key.escape || key.backspace || input === "h") s.setOpen(false);
      return;
    }
    const target = VIEW_KEYS[input];
    if (target) {
      s.setView(target);
      s.setSelected(0);
      // Keys later in the same batch act on the new view.
      shown.current = { ...shown.current, view: target };
      return;
    }
    // Keys of one view do nothing on the others (they are not offered there either).
    if (view === "breakdown" && input === "p") s.setPeriod(nextPeriod);
    else if (view === "overview" && input === "p") s.setChartPeriod(nextPeriod);
    else if (view === "overview" && input === "m") s.setMeasure((m) => next(MEASURES, m));
    else if ((view === "breakdown" || view === "overview") && input === "c") {
      promptKind.current = "period";
      setTyping("");
    } else if (view === "breakdown" && key.return && atGroups() && loaded?.view === "breakdown" && breakdownSelection.current.current) {
      onDrill(breakdownSelection.current.current);
    } else if (view === "breakdown" && (key.escape || key.backspace) && drillRef.current.length > 0) {
      // Back up one level of the drill-down.
      drillRef.current = drillRef.current.slice(0, -1);
      s.setDrill(drillRef.current);
    } else if (key.escape && isFiltered(filterRef.current)) {
      s.setFilter({});
      s.setSelected(0);
      s.setAuditRows(AUDIT_PAGE);
    }
    else if (view === "breakdown" && input === "d") {
      // Another dimension starts a new drill-down.
      s.setDimension((d) => next([...DIMENSIONS, ...tagKeys.map((k): BreakdownBy => `tag:${k}`)], d));
      drillRef.current = [];
      s.setDrill([]);
    } else if (view === "breakdown" && input === "s" && atGroups()) {
      s.setSort((sort) => next(SORTS, sort));
      s.setReversed(false);
    } else if (view === "breakdown" && input === "r" && atGroups()) s.setReversed((r) => !r);
    else if (view === "live" && input === " ") {
      // The ref at once: a refresh already under way must not replace the list being read.
      pausedRef.current = !pausedRef.current;
      s.setPaused(pausedRef.current);
    }
    else if (view === "live" && input === "f") {
      pausedRef.current = false;
      s.setPaused(false);
      // A new list instance starts at the top, on the newest call.
      s.setLiveKey((k) => k + 1);
    } else if (input === "t" && view === "audit") {
      s.setAuditType((t) => next(AUDIT_TYPES, t));
      s.setSelected(0);
      s.setAuditRows(AUDIT_PAGE);
    } else if (view === "audit" && loaded?.view === "audit") onAuditKey(loaded.data, input, key);
  };

  // Keys typed faster than the terminal hands them over, and pastes, arrive as one string: each
  // character is a key of its own (escape sequences such as arrows are already parsed by Ink).
  useInput((input, key) => {
    if (input.length <= 1 || key.ctrl || key.meta) return onKey(input, key);
    for (const char of input) onKey(char, { ...NO_KEY, return: char === "\r" || char === "\n", backspace: char === "\x7f" || char === "\b" });
  });
}
