import type { Accounting, GroupUsageTotals } from "@llm-accounting/core";
import type { Measure } from "./provider-report.js";
import type { ReconcileScope } from "./provider-requests.js";

/** The ledger's figures for a UTC day, a model and a scope (project or tag value), every measure given. */
export interface LedgerRow {
  readonly day: string;
  readonly model: string;
  readonly scope: string | null;
  readonly values: Readonly<Record<Measure, bigint>>;
}

const DAY = 86_400_000;

/**
 * The ledger per UTC day and model (and project, or the value of `apiKeyTag`, by `scope`), from
 * the store's grouped sums: one query per day for the models (the SQL stores answer it from their
 * hourly rollup), and per model of the day for a project or tag breakdown.
 */
export async function ledgerRows(accounting: Accounting, days: readonly string[], scope: ReconcileScope, apiKeyTag?: string): Promise<LedgerRow[]> {
  const rows: LedgerRow[] = [];
  for (const day of days) {
    const start = new Date(`${day}T00:00:00.000Z`);
    const end = new Date(start.getTime() + DAY - 1);
    const models = await accounting.getUsageBreakdown(start, end, "model");
    if (scope === "model") {
      for (const m of models) rows.push({ day, model: m.key!, scope: null, values: valuesOf(m) });
      continue;
    }
    const perModel = await Promise.all(
      models.map(async (m) => ({
        model: m.key!,
        groups: scope === "project" ? await accounting.getUsageBreakdown(start, end, "project", { model: m.key! }) : await accounting.getUsageByTag(start, end, apiKeyTag!, { model: m.key! }),
      })),
    );
    for (const { model, groups } of perModel) for (const g of groups) rows.push({ day, model, scope: g.key, values: valuesOf(g) });
  }
  return rows;
}

// The ledger counts input as the providers' usage reports do once cache reads and writes are added back.
function valuesOf(g: GroupUsageTotals): Record<Measure, bigint> {
  return { cost: g.costNanos, requests: BigInt(g.requests), inputTokens: BigInt(g.promptTokens), cacheReadTokens: BigInt(g.cachedTokens), outputTokens: BigInt(g.completionTokens) };
}

/** The UTC days from `since` to `until`, both included (`YYYY-MM-DD`). */
export function daysBetween(since: string, until: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${since}T00:00:00Z`); t <= Date.parse(`${until}T00:00:00Z`); t += DAY) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}
