import type { Measure, ProviderReport, ProviderRow } from "./provider-report.js";
import { ReportJson, type ObjectAt } from "./report-json.js";

/** Anthropic's `starting_at`/`ending_at`: RFC 3339 text. */
const rfc3339 = (value: unknown): number | undefined => {
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}T/.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
};

/** The scope of an Anthropic result: its workspace or API key id. */
export type AnthropicScope = "workspace" | "apiKey" | null;

/**
 * Rows of an Anthropic Messages usage report (`GET /v1/organizations/usage_report/messages`,
 * `bucket_width=1d`, `group_by[]=model` and optionally `workspace_id` or `api_key_id`): input
 * tokens counted as the ledger counts them (uncached, cache reads and cache writes together),
 * cache reads, output tokens. The report has no request counts.
 */
export function anthropicUsageReport(document: unknown, source: string, scope: AnthropicScope): ProviderReport {
  const json = new ReportJson(source);
  const { days, results } = json.dailyResults(document, "starting_at", "ending_at", rfc3339);
  const rows = results.map(({ day, result }): ProviderRow => {
    if (result.value.amount !== undefined) throw json.fail(`${result.path}.amount`, "is a cost report's field: give the cost report with --anthropic-costs");
    const cacheRead = json.count(result, "cache_read_input_tokens");
    const input = json.count(result, "uncached_input_tokens") + cacheRead + cacheWrites(json, result);
    return { day, model: json.text(result, "model") ?? "(all models)", scope: scopeOf(json, result, scope), values: { inputTokens: input, cacheReadTokens: cacheRead, outputTokens: json.count(result, "output_tokens") } };
  });
  return { provider: "anthropic", sources: [source], measures: new Set<Measure>(["inputTokens", "cacheReadTokens", "outputTokens"]), days, rows };
}

/**
 * Rows of an Anthropic cost report (`GET /v1/organizations/cost_report`, `group_by[]=description`
 * and optionally `workspace_id`): the cost per day and model in nano-dollars. The API writes
 * amounts in cents as decimal text (`"123.45"` is $1.2345); they are read exactly. Costs that are
 * not a model's tokens (web search, code execution) are kept under their cost type.
 */
export function anthropicCostReport(document: unknown, source: string, scope: AnthropicScope): ProviderReport {
  const json = new ReportJson(source);
  const { days, results } = json.dailyResults(document, "starting_at", "ending_at", rfc3339);
  const rows = results.map(({ day, result }): ProviderRow => {
    if (result.value.uncached_input_tokens !== undefined) throw json.fail(`${result.path}.uncached_input_tokens`, "is a usage report's field: give the usage report with --anthropic-usage");
    const currency = json.text(result, "currency");
    if (currency !== null && currency.toUpperCase() !== "USD") throw json.fail(`${result.path}.currency`, `must be USD (got "${currency}"): the ledger is in USD`);
    // Cents to nano-dollars: 10^7 nano-dollars a cent.
    const cost = json.decimal(json.field(result, "amount"), 7);
    const model = json.text(result, "model") ?? `(${json.text(result, "cost_type") ?? json.text(result, "description") ?? "not per model"})`;
    return { day, model, scope: scopeOf(json, result, scope), values: { cost } };
  });
  return { provider: "anthropic", sources: [source], measures: new Set<Measure>(["cost"]), days, rows };
}

// Cache writes: `cache_creation` holds the 5-minute and 1-hour writes; older reports had them flat.
function cacheWrites(json: ReportJson, result: ObjectAt): bigint {
  const nested = json.field(result, "cache_creation");
  if (nested.value !== undefined && nested.value !== null) {
    const creation = json.object(nested);
    return json.count(creation, "ephemeral_5m_input_tokens") + json.count(creation, "ephemeral_1h_input_tokens");
  }
  return json.count(result, "cache_creation_5m_input_tokens") + json.count(result, "cache_creation_1h_input_tokens");
}

function scopeOf(json: ReportJson, result: ObjectAt, scope: AnthropicScope): string | null {
  if (scope === null) return null;
  return json.text(result, scope === "workspace" ? "workspace_id" : "api_key_id");
}
