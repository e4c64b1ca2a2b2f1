import type { View } from "./view.js";

/** One key (or group of keys) the dashboard reacts to, and what it does. */
export interface KeyHelp {
  /** How the key reads on screen: `d`, `↑↓`, `PgUp/PgDn`. */
  readonly keys: string;
  /** What it does, a few words. */
  readonly does: string;
  /** A shorter label for the footer; left out of the footer when absent. */
  readonly short?: string;
}

/** What the key list depends on besides the view. */
export interface KeyContext {
  /** An audit entry is open in full. */
  readonly auditOpen: boolean;
  /** The breakdown has drilled into a row (Esc goes back). */
  readonly drilled: boolean;
  /** The breakdown's rows can be drilled into (not at the calls level). */
  readonly canDrill?: boolean;
  /** Enter opens a row (not in a breakdown by tag, whose untagged row has nothing to narrow by). */
  readonly canOpen?: boolean;
  /** A filter is set (Esc clears it). */
  readonly filtered: boolean;
  /** The live view is paused. */
  readonly paused: boolean;
}

// One line for the five view keys, so the help of the smallest terminal (60x16) fits without scrolling.
const VIEWS: KeyHelp[] = [{ keys: "o b l v a", does: "views: overview, breakdown, limits, live, audit (or 1-5)" }];
const SCROLL: KeyHelp[] = [
  { keys: "↑↓ j k", does: "scroll one row", short: "↑↓" },
  { keys: "PgUp/PgDn", does: "scroll one page" },
  { keys: "Home/End", does: "first / last row" },
];

/**
 * Every key that does something on `view` in this state, in the order the help lists them:
 * the footer and the `?` overlay show this list, and the key handler acts only on keys in it.
 */
export function viewKeys(view: View, context: KeyContext): KeyHelp[] {
  if (view === "audit" && context.auditOpen) {
    return [...SCROLL, { keys: "Esc h ⌫", does: "back to the list", short: "Esc back" }, { keys: "?", does: "this help" }, { keys: "q", does: "quit" }];
  }
  const own: KeyHelp[] = [];
  switch (view) {
    case "overview":
      own.push(
        { keys: "p", does: "chart period: today (per hour), 7d, 30d, month (per day)", short: "p period" },
        { keys: "c", does: "chart a custom period: two days, YYYY-MM-DD YYYY-MM-DD", short: "c custom" },
        { keys: "m", does: "chart cost, tokens or requests", short: "m measure" },
      );
      break;
    case "breakdown":
      own.push(
        { keys: "d", does: "dimension: model, user, project, caller, session, service tier, then each --tag-key", short: "d dim" },
        // The calls at the bottom of a drill-down are newest first: sorting does not apply there.
        ...(context.canDrill === false
          ? []
          : [
              { keys: "s", does: "sort column: cost, requests, tokens, name (marked ▼ largest first, ▲ smallest)", short: "s sort" },
              { keys: "r", does: "reverse the sort direction", short: "r rev" },
            ]),
        { keys: "p", does: "period: today, 7d, 30d, month", short: "p period" },
        { keys: "c", does: "custom period: two days, YYYY-MM-DD YYYY-MM-DD", short: "c custom" },
        ...SCROLL,
      );
      if (context.canDrill !== false && context.canOpen !== false) own.push({ keys: "⏎", does: "drill into the row: model → users → sessions → calls", short: "⏎ drill" });
      if (context.drilled) own.push({ keys: "Esc ⌫", does: "back up one level", short: "Esc up" });
      break;
    case "limits":
      own.push(...SCROLL);
      break;
    case "live":
      own.push(
        { keys: "space", does: context.paused ? "resume taking new calls" : "pause: keep the list as it is while you read", short: context.paused ? "space resume" : "space pause" },
        { keys: "f", does: "follow: resume and go to the newest call", short: "f follow" },
        ...SCROLL,
      );
      break;
    case "audit":
      own.push({ keys: "t", does: "type: all, prompt, response, event", short: "t type" }, ...SCROLL, { keys: "⏎", does: "open the selected entry in full", short: "⏎ open" });
      break;
  }
  const filter: KeyHelp[] = [{ keys: "/", does: "filter every view by model, user, project, caller, session or tier, e.g. user:ann model:gpt-4o", short: "/ filter" }];
  if (context.filtered && !(view === "breakdown" && context.drilled)) filter.push({ keys: "Esc", does: "clear the filter", short: "Esc unfilter" });
  const exporting: KeyHelp[] = [{ keys: "e", does: "export this view (every row, with filter and period) to a CSV or JSON file", short: "e export" }];
  return [...own, ...filter, ...exporting, ...VIEWS, { keys: "?", does: "this help", short: "? help" }, { keys: "q Ctrl-C", does: "quit", short: "q quit" }];
}

/**
 * The footer: the view keys, then the current view's own keys; when they do not fit in `width`,
 * the view keys shortened, then the view's keys dropped from the end (`?` lists them all).
 */
export function footerText(view: View, context: KeyContext, width: number): string {
  const own = viewKeys(view, context).filter((k) => k.short !== undefined).map((k) => k.short!);
  const always: string[] = own.filter((k) => k === "? help" || k === "q quit");
  const rest = own.filter((k) => !always.includes(k));
  const line = (views: string, keys: readonly string[]) => `${views} │ ${[...keys, ...always].join("  ")}`;
  for (const views of width >= 100 ? ["o overview  b breakdown  l limits  v live  a audit", "o b l v a: views"] : ["o b l v a: views"]) {
    if (line(views, rest).length <= width - 1) return line(views, rest);
  }
  const kept = [...rest];
  while (kept.length > 0 && line("o b l v a: views", kept).length > width - 1) kept.pop();
  return line("o b l v a: views", kept);
}
