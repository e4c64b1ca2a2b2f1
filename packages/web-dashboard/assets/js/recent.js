import { count, el, usd, when } from "./format.js";

let seen = new Set();

/** Fills the recent calls table, newest first; rows not shown before are marked new. */
export function renderRecent(body, calls) {
  const first = seen.size === 0;
  body.replaceChildren(
    ...calls.map((call) => {
      const row = el("tr");
      row.dataset.id = String(call.id);
      if (!first && !seen.has(call.id)) row.className = "new";
      row.append(
        el("td", "", when(call.timestamp)),
        el("td", "", call.model),
        el("td", "opt", call.username ?? ""),
        el("td", "opt", call.project ?? ""),
        el("td", "num", count(call.totalTokens ?? call.promptTokens + call.completionTokens)),
        el("td", "num", usd(call.cost)),
      );
      return row;
    }),
  );
  seen = new Set(calls.map((c) => c.id));
  if (calls.length === 0) body.append(el("tr", "empty", undefined)).append(Object.assign(el("td", "", "No calls yet"), { colSpan: 6 }));
}

/** Forgets which rows were seen (a new filter is a new list, not new calls). */
export const resetRecent = () => {
  seen = new Set();
};
