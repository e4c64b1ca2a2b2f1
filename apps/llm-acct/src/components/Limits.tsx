import { Box, Text } from "ink";
import type { IntervalUnit, LimitStatus, LimitType, StoredAlert, UsageLimit } from "@llm-accounting/core";
import { bar, colour, count, fit, until, usageRatio } from "./format.js";
import { scrollLabel, useScroll } from "./scroll.js";

const amount = (status: LimitStatus, value: number) => (status.limit.limitType === "cost" ? `$${value.toFixed(2)}` : count(value));

// Short names keep type and window whole at 80 columns, where the long form (`requests/1 week_rolling`)
// was cut; the legend under the table spells out the ones on screen.
const TYPE_SHORT: Record<LimitType, string> = { requests: "req", input_tokens: "in-tok", output_tokens: "out-tok", total_tokens: "tok", cost: "cost" };
const TYPE_LONG: Record<LimitType, string> = { requests: "requests", input_tokens: "input tokens", output_tokens: "output tokens", total_tokens: "total tokens", cost: "cost (USD)" };
const UNIT_SHORT: Record<string, [string, string]> = { second: ["s", "second"], minute: ["m", "minute"], hour: ["h", "hour"], day: ["d", "day"], week: ["w", "week"], monthly: ["mo", "month"] };
const unitBase = (unit: IntervalUnit): string => unit.replace(/_rolling$/, "");

/** `cost/1d`, `req/5m roll`: what a limit counts and over which window, in at most 16 cells for usual values. */
export function limitWhat(limit: Pick<UsageLimit, "limitType" | "intervalUnit" | "intervalValue">): string {
  const unit = UNIT_SHORT[unitBase(limit.intervalUnit)]?.[0] ?? limit.intervalUnit;
  return `${TYPE_SHORT[limit.limitType] ?? limit.limitType}/${limit.intervalValue}${unit}${limit.intervalUnit.endsWith("_rolling") ? " roll" : ""}`;
}

/** Who a limit applies to, shortest first: `all`, `user:ann`, `model:o3 user:ann`, `project:web`, `tenant=acme`. */
export function limitWho(limit: UsageLimit): string {
  const parts = [limit.model && `model:${limit.model}`, limit.username && `user:${limit.username}`, limit.callerName && `caller:${limit.callerName}`].filter(Boolean);
  switch (limit.scope) {
    case "GLOBAL":
      return "all";
    case "PROJECT":
      return `project:${limit.projectName ?? "(none)"}`;
    case "TAG":
      // The tag last, as people write it (`tenant=*`: every tenant, pooled), after the names that narrow it.
      return [...parts, limit.projectName && `project:${limit.projectName}`, limit.tag ? `${limit.tag.key}=${limit.tag.value}` : "tag"].filter(Boolean).join(" ");
    default:
      // The scope word alone when no name narrows it (a USER limit for every user).
      return parts.length ? parts.join(" ") : String(limit.scope).toLowerCase();
  }
}

/**
 * When a limit fills at `perHour` (its units an hour, the last hour's pace): `in 3h 20m`, `reached`,
 * `after reset` (not within this window), `idle` (no use in the last hour), or `-` (no level to reach).
 */
export function fullAt(status: LimitStatus, perHour: number, now: Date): string {
  const state = limitState(status);
  if (state === "unlimited" || state === "deny") return "-";
  if (state === "over") return "reached";
  if (perHour <= 0) return "idle";
  const at = new Date(now.getTime() + (Math.max(0, status.limit.maxValue - status.used) / perHour) * 3_600_000);
  return status.resetAt && at >= status.resetAt ? "after reset" : until(at, now);
}

/** A limit's state, worded so it reads without colour: deny-all (max 0) and unlimited (-1) are not usage levels. */
export type LimitState = "unlimited" | "deny" | "over" | "near" | "ok";

/** The state of one limit: OVER at or past its max, NEAR from 80%. */
export function limitState(status: LimitStatus): LimitState {
  const { maxValue } = status.limit;
  if (maxValue === -1) return "unlimited";
  if (maxValue === 0) return "deny";
  const ratio = usageRatio(status);
  return ratio >= 1 ? "over" : ratio >= 0.8 ? "near" : "ok";
}

/** How close a limit is to refusing a request, for sorting: a deny-all limit refuses everything, unlimited nothing. */
export function closeness(status: LimitStatus): number {
  const state = limitState(status);
  return state === "deny" ? Math.max(1, usageRatio(status)) : state === "unlimited" ? -1 : usageRatio(status);
}

const MARK: Record<LimitState, string> = { unlimited: "", deny: "", over: "OVER", near: "NEAR", ok: "" };
const COLOUR: Record<LimitState, string> = { unlimited: "gray", deny: "red", over: "red", near: "yellow", ok: "green" };

/** How long ago, in the largest whole unit: `5s`, `12m`, `3h`, `2d`. */
function ago(date: Date, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - date.getTime()) / 1000));
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m` : s < 86_400 ? `${Math.floor(s / 3600)}h` : `${Math.floor(s / 86_400)}d`;
}

/** One recent alert in a line: `! 80% cost/1mo all: $0.82 of $1.00, heading for $2.10 · 5m ago · delivered`. */
export function alertLine(alert: StoredAlert, now: Date): string {
  const money = alert.limitType === "cost";
  const value = (v: number) => (money ? `$${v.toFixed(2)}` : count(v));
  const percent = `${Math.round(alert.threshold * 10_000) / 100}%`;
  const state = alert.deliveryState === "pending" && alert.attempts > 0 ? "retrying" : alert.deliveryState;
  return `! ${percent} ${limitWhat(alert)} ${alert.scope}: ${value(alert.usage)} of ${value(alert.maxValue)}, heading for ${value(alert.projectedUsage)} · ${ago(alert.createdAt, now)} ago · ${state}`;
}

/** Legend parts, one per abbreviation on screen (and the markers), so nothing shown goes unexplained. */
function legendParts(limits: readonly LimitStatus[]): string[] {
  const types = [...new Set(limits.map((s) => s.limit.limitType))].filter((t) => TYPE_SHORT[t] && TYPE_SHORT[t] !== t);
  const units = [...new Set(limits.map((s) => unitBase(s.limit.intervalUnit)))].filter((u) => UNIT_SHORT[u]);
  const parts = [...types.map((t) => `${TYPE_SHORT[t]} ${TYPE_LONG[t]}`), ...units.map((u) => `${UNIT_SHORT[u]![0]} ${UNIT_SHORT[u]![1]}`)];
  if (limits.some((s) => s.limit.intervalUnit.endsWith("_rolling"))) parts.push("roll = rolling");
  parts.push("NEAR ≥ 80%", "OVER ≥ 100%");
  return parts;
}

/** Parts joined with ` · `, broken into lines of at most `width` characters between parts. */
function wrapParts(parts: readonly string[], width: number): string[] {
  const out: string[] = [];
  for (const part of parts) {
    const last = out.length ? out[out.length - 1]! : undefined;
    if (last !== undefined && last.length + 3 + part.length <= width) out[out.length - 1] = `${last} · ${part}`;
    else out.push(part);
  }
  return out;
}

/**
 * Every limit, fullest first, with a usage bar for its current window, a NEAR/OVER marker, used and
 * max, what is left (wide terminals) and when it resets; a legend explains the short type/window
 * names. When they do not all fit in `height` rows, the list scrolls (↑↓ PgUp/PgDn Home/End while `active`).
 */
export function Limits({ limits, now, width, height = Number.POSITIVE_INFINITY, active = true, rates, alerts = [] }: { limits: readonly LimitStatus[]; now: Date; width: number; height?: number; active?: boolean; rates?: ReadonlyMap<number, number>; alerts?: readonly StoredAlert[] }) {
  const wide = width >= 100;
  // Narrow terminals drop the Left column (max minus used) and shorten the bar, so the name keeps room;
  // wide ones lengthen the bar and the name.
  const barWidth = width >= 140 ? 24 : wide ? 12 : 6;
  const usedWidth = wide ? 21 : 17;
  const whatWidth = 16;
  // From 110 columns (with the rates known): when each limit fills at the last hour's pace.
  const eta = rates !== undefined && width >= 110;
  const fixed = whatWidth + 1 + barWidth + 5 + 1 + usedWidth + (wide ? 11 : 0) + 2 + 10 + (eta ? 17 : 0);
  const whoWidth = Math.max(10, Math.min(width >= 140 ? 60 : 40, width - 1 - fixed));
  const legend = wrapParts(legendParts(limits), width - 1);
  // The newest alerts go under the legend, when the screen has room for them beside a few limits.
  const alertRows = alerts.length > 0 && height - 1 - legend.length - (alerts.length + 1) >= 3 ? alerts.length + 1 : 0;
  const all = Math.max(1, height - 1 - legend.length - alertRows);
  // A position line takes a row when they do not all fit.
  const room = limits.length > all ? Math.max(1, all - 1) : all;
  const top = useScroll(limits.length, room, active);
  if (limits.length === 0) return <Text>No usage limits. Add one with: llm-acct limits set --help</Text>;
  // Stable sort: limits equally close keep their stored order.
  const sorted = [...limits].sort((a, b) => closeness(b) - closeness(a));
  const shown = sorted.slice(top, top + room);
  return (
    <Box flexDirection="column">
      <Text bold>{`${fit("Applies to", whoWidth)} ${fit("Type/window", whatWidth)} ${fit("Usage", barWidth + 5)} ${fit("Used / Max", usedWidth, "right")}${wide ? ` ${fit("Left", 10, "right")}` : ""}  ${fit("Resets", 10)}${eta ? ` ${fit("Full at 1h pace", 16)}` : ""}`}</Text>
      {shown.map((s) => {
        const { limit } = s;
        const state = limitState(s);
        // The bar slot says "unlimited" or "deny all" in words: neither is a level a bar could show.
        const usage = state === "unlimited" ? "unlimited" : state === "deny" ? "deny all" : `${bar(usageRatio(s), barWidth)} ${MARK[state]}`;
        const max = state === "unlimited" ? "∞" : amount(s, limit.maxValue);
        const left = state === "unlimited" ? "∞" : amount(s, Math.max(0, s.remaining));
        return (
          <Text key={limit.id}>
            {`${fit(limitWho(limit), whoWidth)} ${fit(limitWhat(limit), whatWidth)} `}
            <Text color={colour(COLOUR[state])}>{fit(usage, barWidth + 5)}</Text>
            {` ${fit(`${amount(s, s.used)} / ${max}`, usedWidth, "right")}${wide ? ` ${fit(left, 10, "right")}` : ""}  ${fit(until(s.resetAt, now), 10)}${eta ? ` ${fit(fullAt(s, rates.get(limit.id) ?? 0, now), 16)}` : ""}`}
          </Text>
        );
      })}
      {shown.length < limits.length ? <Text dimColor>{`${scrollLabel("limits", top, room, limits.length)} (fullest first)  ↑↓ PgUp/PgDn Home/End`}</Text> : null}
      {legend.map((line) => (
        <Text key={line} dimColor>
          {line}
        </Text>
      ))}
      {alertRows > 0 ? <Text bold>Recent alerts</Text> : null}
      {alertRows > 0
        ? alerts.map((a) => (
            <Text key={`alert-${a.id}`} color={colour(a.threshold >= 1 ? "red" : "yellow")}>
              {fit(alertLine(a, now), width - 1)}
            </Text>
          ))
        : null}
    </Box>
  );
}
