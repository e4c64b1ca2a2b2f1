import { useCallback, useEffect, useRef, useState } from "react";
import type { Accounting, AuditStore } from "@llm-accounting/core";
import { LIVE_ROWS, loadAudit, loadBreakdown, loadCalls, loadLimitRates, loadLimits, loadLive, loadOverview, loadRecentAlerts } from "../data/load.js";
import { drillLevel } from "../data/drill.js";
import { dayNumber, type TimeZone } from "../data/zone.js";
import { levelKey, type DashboardState, type Loaded } from "./dashboard-state.js";
import type { DisplayMoney } from "../data/money.js";

/** Where the dashboard reads from, and its clock and refresh period. */
export interface DataSource {
  readonly accounting: Accounting;
  readonly audit: AuditStore;
  readonly now: () => Date;
  readonly refreshMs: number;
  readonly timeZone: TimeZone;
  /** The currency amounts are shown in, with its rates; US dollars without. */
  readonly money?: DisplayMoney;
}

/** What the refresh loop last saw: the current view's data, when the store was checked (ms, whole seconds), and the last error's first line. */
export interface ViewData {
  readonly loaded: Loaded | undefined;
  readonly checked: number | undefined;
  readonly error: string | undefined;
}

/** Loads the current view and reloads it every `refreshMs` when what it shows has changed. */
export function useViewData(s: DashboardState, { accounting, audit, now, refreshMs, timeZone, money }: DataSource): ViewData {
  const { view, period, chartPeriod, dimension, sort, reversed, drill, auditType, auditRows, filter, paused, pausedRef } = s;
  const [loaded, setLoaded] = useState<Loaded | undefined>(undefined);
  const [checked, setChecked] = useState<number | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const liveNewest = useRef<number | undefined>(undefined);
  const liveShown = useRef<Extract<Loaded, { view: "live" }> | undefined>(undefined);

  const load = useCallback(async (at: Date): Promise<Loaded> => {
    switch (view) {
      case "overview":
        return { view, data: await loadOverview(accounting, at, 30, filter, chartPeriod, timeZone, money) };
      case "breakdown": {
        const level = drillLevel(dimension, drill, filter);
        const key = levelKey(dimension, drill);
        if (level.dimension === "calls") return { view, data: [], calls: (await loadCalls(accounting, at, period, level.filter, 1000, timeZone, money)).filter(level.keep), level: key };
        return { view, data: await loadBreakdown(accounting, at, period, level.dimension, sort, level.filter, reversed, timeZone, money), level: key };
      }
      case "limits": {
        // With each limit's pace over the last hour, to say when it fills.
        const data = await loadLimits(accounting, filter);
        return { view, data, rates: await loadLimitRates(accounting, data, at), alerts: await loadRecentAlerts(accounting) };
      }
      case "live": {
        // Paused, the list stays as it is: no read at all, not even the one a restarted check makes.
        if (pausedRef.current && liveShown.current) return liveShown.current;
        const data = await loadLive(accounting, LIVE_ROWS, filter, at, money, timeZone);
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
  }, [accounting, audit, view, period, chartPeriod, dimension, sort, reversed, drill, auditType, auditRows, filter, timeZone, money]);

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

  return { loaded, checked, error };
}
