import { count, el, usd } from "./format.js";

/**
 * Fills one breakdown panel: a row per value, costliest first, with a bar relative to the first.
 * `onPick(key)` is called when a row is chosen (null: no pick, for panels that cannot filter).
 */
export function renderBreakdown(panel, groups, { active, onPick }) {
  const list = panel.querySelector("ol");
  const top = Math.max(...groups.map((g) => g.cost), 0);
  list.replaceChildren(
    ...groups.map((group) => {
      const item = el("li", group.key === null ? "none" : "");
      const name = group.key ?? "(none)";
      const row = el(onPick && group.key !== null ? "button" : "div", "row");
      if (row.tagName === "BUTTON") {
        row.type = "button";
        row.title = `Show only ${name}`;
        row.addEventListener("click", () => onPick(group.key));
      }
      if (active === group.key) item.classList.add("active");
      item.dataset.key = name;
      item.dataset.cost = String(group.cost);
      item.dataset.requests = String(group.requests);
      const bar = el("span", "bar");
      bar.style.width = `${top > 0 ? (group.cost / top) * 100 : 0}%`;
      row.append(el("span", "name", name), el("span", "figure", usd(group.cost)), el("span", "calls", `${count(group.requests)} calls`), el("span", "track"));
      row.lastChild.append(bar);
      item.append(row);
      return item;
    }),
  );
  if (groups.length === 0) list.append(el("li", "empty", "No calls in this range"));
}

/** Tag keys seen on recent calls, sorted, for the tag panel's key picker. */
export function tagKeys(calls) {
  return [...new Set(calls.flatMap((c) => Object.keys(c.tags ?? {})))].sort();
}
