import type { UsageDimension, UsageRecord } from "@llm-accounting/core";
import { filterLabel, type DashboardFilter } from "./filter.js";

/** What the breakdown groups by: a column, or the values of a tag key (`tag:team`). */
export type BreakdownBy = UsageDimension | `tag:${string}`;

/** The tag key of a breakdown by tag, or undefined for a column. */
export const tagKeyOf = (by: BreakdownBy | "calls"): string | undefined => (by.startsWith("tag:") ? by.slice(4) : undefined);

/** One breakdown row drilled into: its dimension and value (null: the "(none)" row). */
export interface DrillStep {
  readonly dimension: UsageDimension;
  readonly key: string | null;
}

/** What Enter on a row of each dimension opens: a model's users, a user's sessions, a session's calls, a tier's models. */
export const DRILL_NEXT: Record<UsageDimension, UsageDimension | "calls"> = { model: "username", username: "session", project: "username", callerName: "username", session: "calls", serviceTier: "model" };

/** A level of the drill-down: what it lists and the filter its rows pass. */
export interface DrillLevel {
  readonly dimension: BreakdownBy | "calls";
  /** The dashboard filter narrowed by every step. */
  readonly filter: DashboardFilter;
  /** Calls must also pass this (the store filter cannot say "no session"). */
  readonly keep: (record: UsageRecord) => boolean;
}

/** The level reached from a breakdown by `dimension` through `steps`, within `filter`. */
export function drillLevel(dimension: BreakdownBy, steps: readonly DrillStep[], filter: DashboardFilter): DrillLevel {
  // A tag's rows are not drilled into (the untagged row has no filter to narrow by): no steps below it.
  if (tagKeyOf(dimension) !== undefined) return { dimension, filter, keep: () => true };
  let current: UsageDimension | "calls" = dimension as UsageDimension;
  let narrowed: Record<string, string | null> = { ...filter };
  let noSession = false;
  for (const step of steps) {
    if (step.dimension === "session" && step.key === null) noSession = true;
    else narrowed = { ...narrowed, [step.dimension]: step.key };
    current = DRILL_NEXT[step.dimension];
  }
  return { dimension: current, filter: narrowed as DashboardFilter, keep: (r) => !noSession || r.session === null };
}

/** How the steps read in the header: `model:gpt-4o › user:ann`. */
export const drillLabel = (steps: readonly DrillStep[]): string =>
  steps.map((s) => (s.dimension === "session" && s.key === null ? "session:(none)" : filterLabel({ [s.dimension]: s.key }))).join(" › ");
