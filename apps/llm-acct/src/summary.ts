import { visibleText, type Accounting } from "@llm-accounting/core";
import { loadLimits, loadOverview } from "./data/load.js";
import { count, money as moneyText, sparkline, usageRatio } from "./components/format.js";
import type { DisplayMoney } from "./data/money.js";

/** The one-screen summary `llm-acct` prints when stdout is not a terminal (days in UTC; amounts in `money`'s currency when given). */
export async function summaryText(accounting: Accounting, location: string, now: Date, money?: DisplayMoney): Promise<string> {
  const [overview, limits] = await Promise.all([loadOverview(accounting, now, 30, {}, "30d", "UTC", money), loadLimits(accounting)]);
  const usd = (units: bigint) => moneyText(units, money?.currency);
  const lines = [`llm-acct summary · ${visibleText(location)} · ${now.toISOString().slice(0, 19).replace("T", " ")} UTC${money ? ` · amounts in ${money.currency}` : ""}`, ""];
  for (const w of overview.windows) lines.push(`${w.label.padEnd(8)} ${count(w.requests).padStart(10)} ${w.requests === 1 ? "request " : "requests"} ${count(w.tokens).padStart(13)} tokens ${usd(w.costNanos).padStart(14)}`);
  lines.push("", `Cost per day (30 days): ${sparkline(overview.daily.map((d) => Number(d.costNanos)))}`);
  if (overview.topModels.length > 0) {
    lines.push("", "Top models (30 days):");
    for (const m of overview.topModels.slice(0, 5)) lines.push(`  ${visibleText(m.key ?? "-").padEnd(28)} ${count(m.requests).padStart(9)} requests ${usd(m.costNanos).padStart(14)}`);
  }
  // The same test as the dashboard's ! and X markers.
  const near = limits.filter((s) => s.limit.maxValue !== -1 && usageRatio(s) >= 0.8);
  lines.push("", `Limits: ${limits.length}${near.length ? `, ${near.length} at 80% or more of their window` : ""}`);
  return `${lines.join("\n")}\n`;
}
