import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { formatNanos, type AuditEntry, type GroupUsageTotals, type LimitStatus, type UsageRecord } from "@llm-accounting/core";
import type { LiveData, OverviewData } from "./load.js";

/** A file format `e` writes. */
export type ExportFormat = "csv" | "json";

/** What a view shows, to export: its rows, plus where they come from (view, filter, period). */
export type ExportData =
  | { readonly view: "overview"; readonly data: OverviewData }
  | { readonly view: "breakdown"; readonly data: readonly GroupUsageTotals[]; readonly calls?: readonly UsageRecord[] }
  | { readonly view: "limits"; readonly data: readonly LimitStatus[] }
  | { readonly view: "live"; readonly data: LiveData }
  | { readonly view: "audit"; readonly data: readonly AuditEntry[] };

/** What the rows were selected by, written into the JSON and the file name. */
export interface ExportContext {
  /** `breakdown by model`, `live`, … as in the header. */
  readonly title: string;
  /** The period as the header shows it (views without one: undefined). */
  readonly period?: string;
  /** The filter as typed (empty: none). */
  readonly filter: string;
  readonly at: Date;
  /** The currency the costs are in when the dashboard converts them: the cost column is `cost_eur`, not `cost_usd`. */
  readonly currency?: string;
}

type Row = Record<string, string | number | null>;

// Costs exactly, in dollars (or the display currency) with nine decimals: a CSV is for spreadsheets, not for reading.
const dollars = (nanos: bigint): string => formatNanos(nanos, 9);
const totals = (g: GroupUsageTotals): Row => ({ requests: g.requests, prompt_tokens: g.promptTokens, completion_tokens: g.completionTokens, total_tokens: g.totalTokens, cached_tokens: g.cachedTokens, reasoning_tokens: g.reasoningTokens, cost_usd: dollars(g.costNanos), execution_time_s: g.executionTime });
const call = (r: UsageRecord): Row => ({ id: r.id, timestamp: r.timestamp.toISOString(), model: r.model, username: r.username, project: r.project, caller_name: r.callerName, session: r.session, prompt_tokens: r.promptTokens, completion_tokens: r.completionTokens, total_tokens: r.totalTokens, cost_usd: dollars(r.costNanos), cost_source: r.costSource, execution_time_s: r.executionTime, tags: r.tags ? JSON.stringify(r.tags) : null });

/** The rows of a view as flat records (one table), the way both formats write them; converted costs go in `cost_<currency>`. */
export function exportRows(shown: ExportData, currency?: string): Row[] {
  const rows = usdRows(shown);
  if (!currency || shown.view === "limits") return rows;
  const column = `cost_${currency.toLowerCase()}`;
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key === "cost_usd" ? column : key, value])));
}

function usdRows(shown: ExportData): Row[] {
  switch (shown.view) {
    case "overview":
      return [
        ...shown.data.windows.map((w): Row => ({ section: "window", label: w.label, requests: w.requests, total_tokens: w.tokens, prompt_tokens: w.promptTokens, completion_tokens: w.completionTokens, cost_usd: dollars(w.costNanos) })),
        ...shown.data.daily.map((d): Row => ({ section: "day", label: d.day, requests: d.requests, total_tokens: null, prompt_tokens: null, completion_tokens: null, cost_usd: dollars(d.costNanos) })),
        ...shown.data.topModels.map((m): Row => ({ section: "top model (30 days)", label: m.key, requests: m.requests, total_tokens: m.totalTokens, prompt_tokens: m.promptTokens, completion_tokens: m.completionTokens, cost_usd: dollars(m.costNanos) })),
      ];
    case "breakdown":
      return shown.calls ? shown.calls.map(call) : shown.data.map((g) => ({ key: g.key, ...totals(g) }));
    case "limits":
      return shown.data.map(({ limit, used, remaining, resetAt }): Row => ({ id: limit.id, scope: limit.scope, limit_type: limit.limitType, max_value: limit.maxValue, interval_unit: limit.intervalUnit, interval_value: limit.intervalValue, model: limit.model, username: limit.username, caller_name: limit.callerName, project_name: limit.projectName, used, remaining: Number.isFinite(remaining) ? remaining : null, reset_at: resetAt?.toISOString() ?? null }));
    case "live":
      return shown.data.records.map(call);
    case "audit":
      return shown.data.map((e): Row => ({ id: e.id, timestamp: e.timestamp.toISOString(), log_type: e.logType, app_name: e.appName, user_name: e.userName, model: e.model, project: e.project, session: e.session, remote_completion_id: e.remoteCompletionId, prompt_text: e.promptText, response_text: e.responseText }));
  }
}

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break; null is empty. */
const csvField = (value: string | number | null): string => {
  if (value === null) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** The export as file content: CSV with a header row, or JSON with the selection and the rows. */
export function exportText(shown: ExportData, context: ExportContext, format: ExportFormat): string {
  const rows = exportRows(shown, context.currency);
  if (format === "json") {
    return `${JSON.stringify({ view: context.title, ...(context.period && { period: context.period }), filter: context.filter || null, ...(context.currency && { currency: context.currency }), exportedAt: context.at.toISOString(), rows }, null, 2)}\n`;
  }
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return `${[columns.join(","), ...rows.map((r) => columns.map((c) => csvField(r[c] ?? null)).join(","))].join("\r\n")}\r\n`;
}

/** `llm-acct-breakdown-by-model-7d-20250615-120000.csv`: what, which period and when, safe as a file name. */
export function exportFileName(context: ExportContext, format: ExportFormat): string {
  const stamp = context.at.toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
  const what = [context.title, context.period, context.filter && "filtered"].filter(Boolean).join(" ");
  return `llm-acct-${what.toLowerCase().replace(/[^a-z0-9.]+/g, "-").replace(/^-|-$/g, "")}-${stamp}.${format}`;
}

/** Writes the export into `dir` (never over an existing file); returns its absolute path and row count. */
export async function writeExport(shown: ExportData, context: ExportContext, format: ExportFormat, dir: string): Promise<{ path: string; rows: number }> {
  const path = resolve(dir, exportFileName(context, format));
  await writeFile(path, exportText(shown, context, format), { flag: "wx" });
  return { path, rows: exportRows(shown, context.currency).length };
}
