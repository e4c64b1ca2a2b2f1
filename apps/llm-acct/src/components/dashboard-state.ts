import { useRef, useState } from "react";
import type { AuditEntry, GroupUsageTotals, LimitStatus, StoredAlert, UsageRecord } from "@llm-accounting/core";
import type { LiveData, OverviewData, SortKey } from "../data/load.js";
import type { BreakdownBy, DrillStep } from "../data/drill.js";
import type { Period } from "../data/period.js";
import type { DashboardFilter } from "../data/filter.js";
import type { ChartMeasure } from "./Overview.js";
import type { View } from "./view.js";

/** Audit entries loaded at a time; scrolling past the last loaded one loads this many more. */
export const AUDIT_PAGE = 200;

/** What the current view last loaded. */
export type Loaded =
  | { view: "overview"; data: OverviewData }
  | { view: "breakdown"; data: GroupUsageTotals[]; calls?: UsageRecord[]; level: string }
  | { view: "limits"; data: LimitStatus[]; rates: Map<number, number>; alerts: StoredAlert[] }
  | { view: "live"; data: LiveData; markAfterId: number | undefined }
  | { view: "audit"; data: AuditEntry[] };

/** Names a breakdown drill level, so rows loaded for another level are not shown as this one's. */
export const levelKey = (dimension: BreakdownBy, drill: readonly DrillStep[]): string => JSON.stringify([dimension, drill]);

/** Which prompt the bottom line holds: a custom period, the `/` filter or the export format. */
export type PromptKind = "period" | "filter" | "export";

/** The dashboard's settings and what the user has typed or opened: state the keys change and the views read. */
export function useDashboardState(initialView: View) {
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
  const promptKind = useRef<PromptKind>("period");
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
  const [auditRows, setAuditRows] = useState(AUDIT_PAGE);
  // The breakdown's selected row, which it sets as it draws: Enter is handled by the dashboard's
  // key handler, which is always subscribed (the breakdown's own one was not yet when a key came
  // with its first frame).
  const breakdownSelection = useRef<{ current: GroupUsageTotals | undefined }>({ current: undefined });
  return {
    view, setView, period, setPeriod, chartPeriod, setChartPeriod, measure, setMeasure, dimension, setDimension, sort, setSort, reversed, setReversed,
    paused, setPaused, pausedRef, liveKey, setLiveKey, drill, setDrill, auditType, setAuditType, selected, setSelected, open, setOpen, help, setHelp,
    typing, typingRef, setTyping, promptKind, notice, setNotice, promptError, setPromptError, filter, setFilter, auditRows, setAuditRows, breakdownSelection,
  };
}

/** The dashboard's state and its setters (see useDashboardState). */
export type DashboardState = ReturnType<typeof useDashboardState>;
