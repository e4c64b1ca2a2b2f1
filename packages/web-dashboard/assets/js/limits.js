import { amount, el } from "./format.js";

const SCOPE_NAMES = ["model", "user", "project", "caller"];

/** Who a limit applies to, e.g. "USER alice · gpt-4o". */
function subject(limit) {
  const names = SCOPE_NAMES.map((k) => limit[k]).filter((v) => v !== null);
  return [limit.scope, ...names].join(" · ");
}

// "cost per day", "requests per 3 hours (rolling)": the store names units `day`, `monthly`, `hour_rolling`.
function window_(limit) {
  const { value, unit } = limit.interval;
  const base = unit.replace("_rolling", "").replace("monthly", "month");
  return `${limit.limitType.replace("_", " ")} per ${value === 1 ? base : `${value} ${base}s`}${unit.endsWith("_rolling") ? " (rolling)" : ""}`;
}

function forecastText(limit) {
  const f = limit.forecast;
  if (!f || limit.maxValue < 0) return "";
  const projected = `on course for ${amount(limit.limitType, f.projectedUsage)} by the reset`;
  return f.limitReachedAt ? `${projected}; reached ${new Date(f.limitReachedAt).toLocaleString("en-GB", { day: "2-digit", month: "short", hour: "2-digit", minute: "2-digit" })}` : projected;
}

/** Fills the limits list: a bar per limit (used / max), its projection and when it resets. */
export function renderLimits(list, limits) {
  list.replaceChildren(
    ...limits.map((limit) => {
      const item = el("li", "limit");
      const ratio = limit.maxValue < 0 ? 0 : limit.usedRatio;
      item.dataset.id = String(limit.id);
      item.dataset.ratio = String(ratio);
      item.classList.add(ratio >= 1 ? "over" : ratio >= 0.8 ? "warn" : "ok");
      const max = limit.maxValue < 0 ? "unlimited" : amount(limit.limitType, limit.maxValue);
      const head = el("div", "limit-head");
      head.append(el("span", "subject", subject(limit)), el("span", "usage", `${amount(limit.limitType, limit.used)} of ${max}`));
      const meter = el("div", "meter");
      meter.setAttribute("role", "meter");
      meter.setAttribute("aria-valuemin", "0");
      meter.setAttribute("aria-valuemax", "100");
      meter.setAttribute("aria-valuenow", String(Math.round(ratio * 100)));
      meter.setAttribute("aria-label", subject(limit));
      const fill = el("span", "fill");
      fill.style.width = `${Math.min(ratio, 1) * 100}%`;
      meter.append(fill);
      const projected = limit.forecast && limit.maxValue > 0 ? limit.forecast.projectedUsage / limit.maxValue : 0;
      if (projected > ratio) {
        const mark = el("span", "projected");
        mark.style.width = `${Math.min(projected, 1) * 100}%`;
        meter.prepend(mark);
      }
      const reset = limit.resetAt ? `resets ${new Date(limit.resetAt).toLocaleString("en-GB", { day: "2-digit", month: "short", hour: "2-digit", minute: "2-digit" })}` : "";
      item.append(head, meter, el("div", "limit-foot", [window_(limit), forecastText(limit), reset].filter(Boolean).join(" · ")));
      return item;
    }),
  );
  if (limits.length === 0) list.append(el("li", "empty", "No limits set (llm-accounting limits set ...)"));
}
