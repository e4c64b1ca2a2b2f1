import { EMPTY_TOTALS, addTotals } from "../store/usage-sums.js";
import type { UsageTotals } from "../store/usage-totals.js";

/** Adds up groups (the totals of a report narrowed by tags). */
export function sumGroups(groups: readonly UsageTotals[]): UsageTotals {
  return groups.reduce<UsageTotals>(addTotals, EMPTY_TOTALS);
}
