import type { Measure, ProviderReport, ProviderRow } from "./provider-report.js";
import { ReportJson, type ObjectAt } from "./report-json.js";
import { openAILineItemModel } from "./model-keys.js";

/** OpenAI's `start_time`/`end_time`: Unix seconds. */
const unixSeconds = (value: unknown): number | undefined => (typeof value === "number" && Number.isFinite(value) ? value * 1000 : undefined);

/** The scope of an OpenAI result: its project or API key id, whichever the report was grouped by and `scope` asks for. */
export type OpenAIScope = "project" | "apiKey" | null;

/**
 * Rows of an OpenAI Costs API response (`GET /v1/organization/costs`, `bucket_width=1d`,
 * `group_by=line_item` and optionally `project_id` or `api_key_id`): per UTC day, the model of the
 * line item and the scope, the cost in nano-dollars. Amounts are read exactly, whether the API
 * wrote them as numbers or as decimal text; a currency other than USD is refused.
 */
export function openAICostsReport(document: unknown, source: string, scope: OpenAIScope): ProviderReport {
  const json = new ReportJson(source);
  const { days, results } = json.dailyResults(document, "start_time", "end_time", unixSeconds);
  const rows = results.map(({ day, result }): ProviderRow => {
    expectObject(json, result, "organization.costs.result", "--openai-usage");
    const amount = json.object(json.field(result, "amount"));
    const currency = json.text(amount, "currency");
    if (currency !== null && currency.toLowerCase() !== "usd") throw json.fail(`${amount.path}.currency`, `must be usd (got "${currency}"): the ledger is in USD`);
    return { day, model: openAILineItemModel(json.text(result, "line_item")), ...scopeOf(json, result, scope), values: { cost: json.decimal(json.field(amount, "value"), 9) } };
  });
  return { provider: "openai", sources: [source], measures: new Set<Measure>(["cost"]), days, rows };
}

/**
 * Rows of an OpenAI Usage API response for completions (`GET /v1/organization/usage/completions`,
 * `group_by=model` and optionally `project_id` or `api_key_id`): requests, input tokens (cached
 * ones included, as the ledger counts them), cached input tokens and output tokens.
 */
export function openAIUsageReport(document: unknown, source: string, scope: OpenAIScope): ProviderReport {
  const json = new ReportJson(source);
  const { days, results } = json.dailyResults(document, "start_time", "end_time", unixSeconds);
  const rows = results.map(({ day, result }): ProviderRow => {
    expectObject(json, result, "organization.usage.completions.result", "--openai-costs");
    return {
      day,
      model: json.text(result, "model") ?? "(all models)",
      ...scopeOf(json, result, scope),
      values: { requests: json.count(result, "num_model_requests"), inputTokens: json.count(result, "input_tokens"), cacheReadTokens: json.count(result, "input_cached_tokens"), outputTokens: json.count(result, "output_tokens") },
    };
  });
  return { provider: "openai", sources: [source], measures: new Set<Measure>(["requests", "inputTokens", "cacheReadTokens", "outputTokens"]), days, rows };
}

// A result of the other report (a usage file given as costs) is refused by name, not misread.
function expectObject(json: ReportJson, result: ObjectAt, expected: string, otherFlag: string): void {
  const object = json.text(result, "object");
  if (object !== null && object !== expected) {
    const hint = object.startsWith("organization.") ? ` (give ${object === "organization.costs.result" ? "a costs" : "a usage"} report with ${otherFlag})` : "";
    throw json.fail(`${result.path}.object`, `must be ${expected} (got "${object}")${hint}`);
  }
}

function scopeOf(json: ReportJson, result: ObjectAt, scope: OpenAIScope): Pick<ProviderRow, "scope" | "scopeName"> {
  if (scope === null) return { scope: null };
  if (scope === "apiKey") return { scope: json.text(result, "api_key_id") };
  // The API also writes the project's name beside its id (not in its reference, so optional).
  const name = json.text(result, "project_name");
  return { scope: json.text(result, "project_id"), ...(name !== null && { scopeName: name }) };
}
